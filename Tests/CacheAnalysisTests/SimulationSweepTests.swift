import CacheAnalysis
import CacheCore
import CacheTrace
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import XCTest
import TestSupport

/// The sweep: one pass or per size, in parallel or not, the numbers agree; the reports and the
/// chart carry them faithfully.
final class SimulationSweepTests: XCTestCase {
    private func record(_ code: TraceEventCode, _ oid: UInt64, length: Int = 0) -> TraceRecord {
        TraceRecord(timestamp: 1_700_000_000, encoded: TraceFormat.encode(code: code.rawValue, dataLength: length), oid: oid)
    }

    private func stream(_ records: [TraceRecord]) -> OperationStream {
        var builder = OperationStreamBuilder()
        for record in records { builder.add(record, oidBytes: UnsafeRawBufferPointer(start: nil, count: 0)) }
        return builder.finish()
    }

    /// The default settings with cold restarts (the cache emptied at each restart).
    private static let coldRestarts: SimulationSettings = {
        var settings = SimulationSettings()
        settings.coldRestarts = true
        return settings
    }()

    /// Runs `body` on each trace the never-evicting checks use — the ZEO application trace and
    /// `handMade` — with warm and with cold restarts.
    private func forZEOAppAnd(_ handMade: OperationStream,
                              _ body: (OperationStream, SimulationSettings) throws -> Void) throws {
        let (zeoApp, _, _) = try OperationStream.decode(path: Fixtures.trace("zeo-app.trace"))
        for trace in [zeoApp, handMade] {
            for settings in [SimulationSettings(), Self.coldRestarts] { try body(trace, settings) }
        }
    }

    /// A byte-weighted workload without invalidations: Zipf-like loads of 3,000 objects whose
    /// sizes only grow, with stores now and then.
    private func growingWorkload() -> OperationStream {
        var random = SplitMix64(seed: 99)
        var size = [Int](repeating: 0, count: 3_000)
        var records: [TraceRecord] = []
        for _ in 0 ..< 40_000 {
            let rank = Double(random.next() % 1_000_000) / 1_000_000
            let oid = Int(rank * rank * rank * 3_000)
            if size[oid] == 0 || random.next() % 10 == 0 {
                size[oid] += Int(random.next() % 3_000) + 1
                records.append(record(.storeCurrent, UInt64(oid), length: min(size[oid], 16_000)))
            } else {
                records.append(record(.loadHit, UInt64(oid), length: min(size[oid], 16_000)))
            }
        }
        return stream(records)
    }

    func testOnePassLRUEqualsLRUPerSizeInBytes() {
        let stream = growingWorkload()
        let capacities = [0.02, 0.05, 0.1, 0.3, 1, 3].map { SimulationCapacity.megabytes($0) }
        let settings = SimulationSettings()
        XCTAssertTrue(LRUStackSimulator.isExact(for: stream, capacities: capacities, settings: settings))
        let onePass = LRUStackSimulator.simulate(stream, capacities: capacities, settings: settings)
        for (index, capacity) in capacities.enumerated() {
            XCTAssertEqual(onePass[index].hits, LRUSimulator.simulate(stream, capacity: capacity, settings: settings).hits,
                           "\(capacity)")
        }
        XCTAssertEqual(onePass.map(\.hits), onePass.map(\.hits).sorted(), "LRU's inclusion: more room, more hits")
    }

    func testOnePassLRUIsRefusedWhereThePrefixRuleBreaks() {
        // Size 2: a b c leaves {b, c}; invalidating b leaves {c}; a was evicted and must miss —
        // the longest-prefix rule would say {c, a}.
        let broken = stream([record(.loadHit, 1, length: 1), record(.loadHit, 2, length: 1), record(.loadHit, 3, length: 1),
                             record(.invalidateHitDiscarding, 2), record(.loadHit, 1, length: 1)])
        let settings = SimulationSettings()
        XCTAssertFalse(LRUStackSimulator.isExact(for: broken, capacities: [.entries(2), .entries(3), .entries(4)], settings: settings))
        XCTAssertEqual(LRUSimulator.simulate(broken, capacity: .entries(2), settings: settings).hits, 0)
        XCTAssertEqual(LRUSimulator.simulate(broken, capacity: .entries(3), settings: settings).hits, 1)
        // The sweep then runs LRU per size, and still gets it right.
        let swept = SimulationSweep.run(broken, policies: [.lru], capacities: [.entries(2), .entries(3), .entries(4)], settings: settings)
        XCTAssertEqual(swept.map(\.hits), [0, 1, 1])
        // Shrinking entries, refused states and cold restarts break it too.
        let shrinking = stream([record(.loadHit, 1, length: 500), record(.loadHit, 1, length: 100)])
        XCTAssertFalse(LRUStackSimulator.isExact(for: shrinking, capacities: [.megabytes(1), .megabytes(2)], settings: settings))
        XCTAssertTrue(LRUStackSimulator.isExact(for: shrinking, capacities: [.entries(1), .entries(2)], settings: settings))
        let refused = stream([record(.loadHit, 1, length: 20_000)])
        XCTAssertFalse(LRUStackSimulator.isExact(for: refused, capacities: [.megabytes(1), .megabytes(2)], settings: settings))
        let cold = Self.coldRestarts
        let restarting = stream([record(.loadHit, 1, length: 1), record(.restart, 0), record(.loadHit, 1, length: 1)])
        XCTAssertFalse(LRUStackSimulator.isExact(for: restarting, capacities: [.entries(1), .entries(2)], settings: cold))
        XCTAssertEqual(LRUSimulator.simulate(restarting, capacity: .entries(2), settings: cold).hits, 0)
        XCTAssertEqual(LRUSimulator.simulate(restarting, capacity: .entries(2), settings: settings).hits, 1)
    }

    /// The never-evicting pass scores what LRU scores at a size that never evicts, through
    /// invalidations, uncacheable states and warm or cold restarts.
    func testTheUnboundedPassEqualsLRUThatNeverEvicts() throws {
        let edgeCases = stream([
            record(.loadHit, 1, length: 10), record(.loadHit, 1, length: 10), record(.invalidateHitDiscarding, 1),
            record(.loadHit, 1, length: 10), record(.loadHit, 2, length: 20_000), record(.loadHit, 2, length: 20_000),
            record(.storeCurrent, 3, length: 5), record(.loadHit, 3, length: 5), record(.restart, 0),
            record(.loadHit, 3, length: 5), record(.loadHit, 1, length: 10),
        ])
        try forZEOAppAnd(edgeCases) { trace, settings in
            for capacity in [SimulationCapacity.megabytes(1_000), .entries(1_000_000)] {
                XCTAssertEqual(UnboundedCacheSimulator.simulate(trace, capacity: capacity, settings: settings).hits,
                               LRUSimulator.simulate(trace, capacity: capacity, settings: settings).hits,
                               "\(capacity), cold restarts \(settings.coldRestarts)")
            }
        }
        XCTAssertEqual(UnboundedCacheSimulator.simulate(edgeCases, capacity: .megabytes(1_000), settings: Self.coldRestarts).hits, 2)
    }

    /// At the peak weight no policy evicts: each scores the never-evicting pass's hits there,
    /// and one unit less is already too small for some policy somewhere in a trace that needs
    /// the whole peak. Invalidations free weight, so the peak is below the working set.
    func testNoPolicyEvictsAtThePeakWeight() throws {
        let churn = stream([
            record(.loadHit, 1, length: 100), record(.loadHit, 2, length: 300), record(.invalidateHitDiscarding, 1),
            record(.loadHit, 3, length: 200), record(.storeCurrent, 2, length: 400), record(.loadHit, 2, length: 100),
            record(.loadHit, 1, length: 100), record(.loadHit, 3, length: 200), record(.loadHit, 2, length: 400),
            record(.restart, 0), record(.loadHit, 4, length: 900), record(.loadHit, 1, length: 100),
            record(.loadHit, 4, length: 900), record(.loadHit, 2, length: 400),
        ])
        try forZEOAppAnd(churn) { trace, settings in
            for unit in [SimulationCapacity.megabytes(1), .entries(1)] {
                let peak = UnboundedCacheSimulator.peakWeight(trace, unit: unit, settings: settings)
                let capacity: SimulationCapacity = unit.isBytes ? .bytes(peak) : .entries(peak)
                let unbounded = UnboundedCacheSimulator.simulate(trace, capacity: capacity, settings: settings).hits
                for policy in SimulationPolicy.sweepable {
                    XCTAssertEqual(SimulationSweep.simulate(policy, trace, capacity: capacity, settings: settings).hits,
                                   unbounded, "\(policy) at the peak \(capacity), cold restarts \(settings.coldRestarts)")
                }
            }
        }
        let cold = Self.coldRestarts
        // The hand-made trace peaks with 1, 2 (at its heaviest, 400), 3 and 4 all cached; with
        // cold restarts, with only 4, 1 and 2 (at 400) after the restart.
        let overhead = CacheOptions.entryOverhead
        XCTAssertEqual(UnboundedCacheSimulator.peakWeight(churn, unit: .megabytes(1), settings: SimulationSettings()),
                       100 + 400 + 200 + 900 + 4 * overhead)
        XCTAssertEqual(UnboundedCacheSimulator.peakWeight(churn, unit: .megabytes(1), settings: cold),
                       900 + 100 + 400 + 3 * overhead)
        // Less than the sum of every object's heaviest state, which the sweep used to require.
        XCTAssertLessThan(UnboundedCacheSimulator.peakWeight(churn, unit: .megabytes(1), settings: cold),
                          100 + 400 + 200 + 900 + 4 * overhead)
        // One byte less and LRU must evict somewhere: the bound is tight.
        let tight = UnboundedCacheSimulator.peakWeight(churn, unit: .megabytes(1), settings: SimulationSettings())
        XCTAssertLessThan(LRUSimulator.simulate(churn, capacity: .bytes(tight - 1), settings: SimulationSettings()).hits,
                          UnboundedCacheSimulator.simulate(churn, capacity: .bytes(tight), settings: SimulationSettings()).hits)
    }

    func testTheParallelSweepEqualsEachSimulationRunAlone() throws {
        let (stream, _, _) = try OperationStream.decode(path: Fixtures.trace("zeo-app.trace"))
        // 4 MB holds zeo-app's whole working set: that size is answered by the shared unbounded run.
        let capacities = [0.05, 0.2, 1, 4].map { SimulationCapacity.megabytes($0) }
        let settings = SimulationSettings()
        let peak = UnboundedCacheSimulator.peakWeight(stream, unit: .megabytes(1), settings: settings)
        XCTAssertGreaterThan(peak, 1_000_000)
        XCTAssertLessThanOrEqual(peak, 4_000_000)
        let swept = SimulationSweep.run(stream, policies: [.lru, .wtinylfu, .opt], capacities: capacities, settings: settings)
        XCTAssertEqual(swept.map(\.policy), [.lru, .lru, .lru, .lru, .wtinylfu, .wtinylfu, .wtinylfu, .wtinylfu,
                                            .opt, .opt, .opt, .opt])
        for result in swept {
            XCTAssertEqual(result, SimulationSweep.simulate(result.policy, stream, capacity: result.capacity, settings: settings))
        }
        // ZEO's folding: one request per application load.
        XCTAssertEqual(stream.requestCount + stream.summary.foldedLoads, 4_156 + 4_722 + 4_156 + 17)
        XCTAssertEqual(stream.summary.fills, 2_078)
    }

    private func sampleReport() throws -> SweepReport {
        let (stream, _, _) = try OperationStream.decode(path: Fixtures.trace("small.trace"))
        let capacities = [0.02, 0.05, 1].map { SimulationCapacity.megabytes($0) }
        let results = SimulationSweep.run(stream, policies: SimulationPolicy.defaultSweep, capacities: capacities,
                                          settings: SimulationSettings())
        return SweepReport(trace: "fixtures/<small> & co.trace", stream: stream, settings: SimulationSettings(),
                           everyRecord: false, results: results)
    }

    func testReportsCarryEveryFigure() throws {
        let report = try sampleReport()
        let table = SweepReportFormatter.render(report, format: .table)
        let rows = table.split(separator: "\n").suffix(4).map { $0.split(separator: " ").map(String.init) }
        XCTAssertEqual(rows[0], ["size", "lru", "wtinylfu", "opt"])
        for (row, capacity) in zip(rows.dropFirst(), report.capacities) {
            XCTAssertEqual(row[0], SimulationCapacity.megabytesLabel(capacity))
            for (column, policy) in ["lru", "wtinylfu", "opt"].enumerated() {
                XCTAssertEqual(row[column + 2], CFormat.fixed(report.hitRate(policy, capacity)!, precision: 2) + "%")
            }
        }
        let csv = SweepReportFormatter.render(report, format: .csv).split(separator: "\n")
        XCTAssertEqual(csv.first, "policy,capacity,unit,requests,hits,hit_rate")
        XCTAssertEqual(csv.count, 1 + 9)
        for (line, row) in zip(csv.dropFirst(), report.results) {
            let fields = line.split(separator: ",").map(String.init)
            XCTAssertEqual(fields[0], row.policy)
            XCTAssertEqual(Int(fields[1]), row.capacity)
            XCTAssertEqual(Int(fields[4]), row.hits)
            XCTAssertEqual(Double(fields[5])!, row.hitRate, accuracy: 0.0001)
        }
        let json = SweepReportFormatter.render(report, format: .json)
        XCTAssertEqual(try JSONDecoder().decode(SweepReport.self, from: Data(json.utf8)), report)
    }

    func testTheChartIsWellFormedSVGWithALinePerPolicy() throws {
        let report = try sampleReport()
        let svg = HitRateChart.svg(report)
        final class Collector: NSObject, XMLParserDelegate {
            var elements: [String: Int] = [:]
            var texts: [String] = []
            func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?,
                        qualifiedName: String?, attributes: [String: String] = [:]) {
                elements[name, default: 0] += 1
            }
            func parser(_ parser: XMLParser, foundCharacters string: String) { texts.append(string) }
        }
        let parser = XMLParser(data: Data(svg.utf8))
        let collector = Collector()
        parser.delegate = collector
        XCTAssertTrue(parser.parse(), "well-formed XML: \(String(describing: parser.parserError))")
        XCTAssertEqual(collector.elements["svg"], 1)
        XCTAssertEqual(collector.elements["polyline"], 3, "one line per policy")
        XCTAssertEqual(collector.elements["polygon"], 1, "the shaded region above the optimum")
        XCTAssertEqual(collector.elements["circle"], 9, "a marker per point")
        let text = collector.texts.joined()
        for label in ["LRU", "W-TinyLFU", "optimum (Bélády)", "hit rate (% of requests)", "cache size (MB of 10⁶ bytes",
                      "<small> & co.trace"] {
            XCTAssertTrue(text.contains(label), label)
        }
    }
}
