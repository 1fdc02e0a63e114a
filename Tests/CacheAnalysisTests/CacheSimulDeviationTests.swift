import CacheAnalysis
import CacheCore
import CacheTrace
import Foundation
import TestSupport
import XCTest

/// Where ZEO's `cache_simul` crashes — objects larger than the file, stores without data, odd
/// invalidation orders, `TypeError`s, pipes that cannot seek, damaged files — ours goes on,
/// as the README documents; and every engine survives random damage.
final class CacheSimulDeviationTests: ScratchDirectoryTestCase {
    /// Writes a trace with `body` and returns its path.
    private func trace(_ name: String, _ body: (TraceWriter) -> Void) throws -> String {
        let path = directory.appendingPathComponent(name).path
        let writer = try TraceWriter(path: path)
        body(writer)
        try writer.close()
        return path
    }

    /// Replays `path` through the simulation directly (no report); checks its structure at the end.
    private func simulate(_ path: String, limit: Int, rearrange: Double = 0.8) throws -> CircularCacheSimulation {
        var simulation = CircularCacheSimulation(limit: limit, rearrange: rearrange)
        var objects = ObjectInterner()
        try TraceReader(path: path).forEachRecord { record, oidBytes in
            let code = UInt8(truncatingIfNeeded: record.encoded) & 0x7E
            guard code & 0x70 != 0 else { return }
            let object = record.oidLength == 8 ? objects.intern(record.oid) : objects.intern(bytes: oidBytes)
            simulation.apply(code: code, object: object, dataLength: record.dataLength, tid: record.tid, endTid: record.endTid)
        }
        XCTAssertNil(simulation.invariantViolation(), path)
        return simulation
    }

    func testAnObjectLargerThanTheFileIsNotStored() throws {
        // ZEO: AssertionError in makeroom (its trace `edge` with -s 1).
        let path = try trace("edge.trace") { w in
            w.write(.storeCurrent, oid: 1, tid: 10, dataLength: 2_000 - 56 + 1, timestamp: 100)
            w.write(.loadMiss, oid: 1, timestamp: 101)
            w.write(.storeCurrent, oid: 2, tid: 10, dataLength: 2_000 - 56, timestamp: 102)  // just fits
            w.write(.loadHit, oid: 2, tid: 10, dataLength: 2_000 - 56, timestamp: 103)
        }
        let simulation = try simulate(path, limit: 2_000)
        XCTAssertEqual(simulation.refusedStores, 1)
        XCTAssertEqual(simulation.totals.writes, 1)
        XCTAssertEqual(simulation.totals.loads, 2)
        XCTAssertEqual(simulation.totals.hits, 1)
        XCTAssertEqual(simulation.usedBytes, 2_000 - 56 + 43)
        var options = CircularSimulationOptions()
        options.limit = 2_000
        let (text, outcome) = try SimulRunner.run(path: path, options: options)
        XCTAssertEqual(outcome.refusedStores, 1)
        let inUse = CircularReportFormatter.inUse(100.0 * Double(2_000 - 56 + 43) / Double(2_000 - 12))
        XCTAssertTrue(text.hasSuffix("      2       1      0      1   50.0%       0    \(inUse)\n"), text)
    }

    func testStoresWithoutDataOddInvalidationsAndRevisionClashes() throws {
        let path = try trace("odd.trace") { w in
            w.write(.storeCurrent, oid: 1, tid: 10, dataLength: 0, timestamp: 100)          // ZEO: assert dlen
            w.write(.loadHit, oid: 1, tid: 10, timestamp: 101)
            w.write(.invalidateHitSavingNonCurrent, oid: 1, tid: 5, timestamp: 102)        // ZEO: assert cur < tid
            w.write(.storeCurrent, oid: 2, tid: 10, dataLength: 100, timestamp: 103)
            w.write(.invalidateHitSavingNonCurrent, oid: 2, tid: 20, timestamp: 104)       // (10, 20) non-current
            w.write(.loadNonCurrentHit, oid: 2, tid: 15, timestamp: 105)                   // inside: a hit
            w.write(.loadNonCurrentHit, oid: 2, tid: 10, timestamp: 106)                   // ZEO: TypeError; Python 2: a miss
            w.write(.loadNonCurrentHit, oid: 2, tid: 25, timestamp: 107)                   // after: a miss
            w.write(.storeCurrent, oid: 2, tid: 10, dataLength: 100, timestamp: 108)       // ZEO: assert key not in key2entry
        }
        let simulation = try simulate(path, limit: 1 << 20)
        XCTAssertEqual(simulation.totals.writes, 3)
        XCTAssertEqual(simulation.totals.loads, 4)
        XCTAssertEqual(simulation.totals.hits, 2, "oid 1's load, and the non-current load inside (10, 20)")
        XCTAssertEqual(simulation.totals.invalidations, 2)
        XCTAssertEqual(simulation.currentCount, 1, "oid 2's revision 10 is current again, its non-current copy replaced")
        XCTAssertEqual(simulation.usedBytes, 43 + (100 + 43) + 43 - 43 + 0, "empty state 43 B, oid 2: 143 B (once)")
    }

    func testAPipeReadsLikeTheFileEvenWhereZEOWouldSeek() throws {
        // crash-append has zero-timestamp headers; ZEO seeks past them, which fails on a pipe.
        let path = Fixtures.trace("crash-append.trace")
        var skips = 0
        try TraceReader(path: path).forEachEvent { if case .skipped = $0 { skips += 1 } }
        XCTAssertGreaterThan(skips, 0)
        var options = CircularSimulationOptions()
        options.limit = 1 << 20
        let file = try SimulRunner.run(path: path, options: options)
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        let piped = try StandardInput.piped(bytes) { try SimulRunner.run(path: "-", options: options) }
        XCTAssertEqual(piped.text, file.text)
        XCTAssertEqual(piped.outcome.records, file.outcome.records)
    }

    func testACutGzipFileReportsWhatWasReadAndFails() throws {
        let gzip = [UInt8](try Data(contentsOf: URL(fileURLWithPath: Fixtures.trace("zipf-pure.trace.gz"))))
        let cut = directory.appendingPathComponent("cut.trace.gz")
        try Data(gzip.prefix(gzip.count / 3)).write(to: cut)
        let (text, outcome) = try SimulRunner.run(path: cut.path, options: CircularSimulationOptions())
        XCTAssertEqual(outcome.exitStatus, 1)
        XCTAssertNotNil(outcome.readError)
        XCTAssertGreaterThan(outcome.records, 10_000)
        XCTAssertTrue(text.contains(String(repeating: "-", count: 74)), "the report is finished")
        let (stream, _, error) = try OperationStream.decode(path: cut.path)
        XCTAssertNotNil(error)
        XCTAssertEqual(stream.summary.records, outcome.records)
    }

    func testTheGarbageOfATornTraceIsIgnoredBySweeps() throws {
        let (stream, reader, error) = try OperationStream.decode(path: Fixtures.trace("crash-append.trace"))
        XCTAssertNil(error)
        XCTAssertNotNil(reader.truncation)
        XCTAssertGreaterThan(stream.summary.ignoredRecords, 0)
        XCTAssertGreaterThan(stream.summary.skippedHeaders, 0)
        let results = SimulationSweep.run(stream, policies: SimulationPolicy.sweepable,
                                          capacities: [.megabytes(0.02), .megabytes(1)], settings: SimulationSettings())
        XCTAssertEqual(results.count, 2 * SimulationPolicy.sweepable.count)
        XCTAssertTrue(results.allSatisfy { $0.hits <= $0.requests && $0.requests == stream.requestCount })
    }

    /// Seeded random damage — flipped bytes, zeroed runs (torn records), cut tails, pure noise —
    /// through every engine: no crash, consistent structures, sane counts.
    func testRandomDamageNeverCrashesAnyEngine() throws {
        let original = [UInt8](try Data(contentsOf: URL(fileURLWithPath: Fixtures.trace("small.trace"))))
        var random = SplitMix64(seed: 2024)
        for variant in 0 ..< 24 {
            var bytes = original
            switch variant % 4 {
            case 0:
                for _ in 0 ..< 40 { bytes[Int(random.next() % UInt64(bytes.count))] = UInt8(truncatingIfNeeded: random.next()) }
            case 1:
                let start = Int(random.next() % UInt64(bytes.count - 60))
                for index in start ..< start + 30 { bytes[index] = 0 }
                bytes.removeLast(Int(random.next() % 40))
            case 2:
                bytes.insert(contentsOf: [UInt8](repeating: 0, count: Int(random.next() % 20)),
                             at: Int(random.next() % UInt64(bytes.count)))
            default:
                bytes = (0 ..< 3_000).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            }
            let path = directory.appendingPathComponent("damaged-\(variant).trace").path
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            for limit in [2_000, 1 << 20] {
                _ = try simulate(path, limit: limit, rearrange: variant % 2 == 0 ? 0.8 : 0)
                var options = CircularSimulationOptions()
                options.limit = limit
                let (text, _) = try SimulRunner.run(path: path, options: options)
                XCTAssertTrue(text.contains(String(repeating: "-", count: 74)), "variant \(variant)")
            }
            let (stream, _, _) = try OperationStream.decode(path: path)
            for capacities in [[SimulationCapacity.entries(5), .entries(40)], [.megabytes(0.02), .megabytes(1)]] {
                let results = SimulationSweep.run(stream, policies: SimulationPolicy.sweepable, capacities: capacities,
                                                  settings: SimulationSettings())
                for result in results {
                    XCTAssertLessThanOrEqual(result.hits, result.requests, "variant \(variant)")
                    if !result.capacity.isBytes && result.policy != .opt {
                        let optimum = results.first { $0.policy == .opt && $0.capacity == result.capacity }!
                        XCTAssertLessThanOrEqual(result.hits, optimum.hits, "variant \(variant): \(result.policy) beat OPT")
                    }
                }
            }
        }
    }
}
