import CacheAnalysis
import CacheTrace
import Foundation
import XCTest
import TestSupport

/// The engine on traces whose contents the test itself decides.
final class CacheStatsEngineTests: XCTestCase {
    /// Feeds `records` to an engine (no text) and returns it finished.
    private func engine(_ records: [(TraceRecord, [UInt8])], options: CacheStatsOptions = CacheStatsOptions()) -> CacheStatsEngine {
        var engine = CacheStatsEngine(options: options, sink: nil)
        for (record, oid) in records {
            oid.withUnsafeBytes { engine.consume(record, oidBytes: $0) }
        }
        engine.finish(bytesRead: 0, elapsedSeconds: 0)
        return engine
    }

    private func record(_ ts: UInt32, _ code: UInt8, oid: UInt64, length: Int = 0) -> (TraceRecord, [UInt8]) {
        (TraceRecord(timestamp: ts, encoded: TraceFormat.encode(code: code, dataLength: length), oid: oid),
         withUnsafeBytes(of: oid.bigEndian) { Array($0) })
    }

    func testTotalsCountWhatWasWritten() throws {
        // A trace written by our writer, read back through the real reader.
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("t.trace").path
        let writer = try TraceWriter(path: path)
        writer.writeRestart(timestamp: 1_000)
        var loads = 0, hits = 0, dataRecords = 0, dataBytes = 0
        var perOID: [UInt64: Int] = [:]
        for index in 0 ..< 1000 {
            let oid = UInt64(index % 17)
            switch index % 4 {
            case 0:
                writer.write(.loadMiss, oid: oid, timestamp: 1_000 + UInt32(index))
                loads += 1
            case 1:
                writer.write(.loadHit, oid: oid, dataLength: index, timestamp: 1_000 + UInt32(index))
                loads += 1; hits += 1; dataRecords += 1; dataBytes += index
            case 2:
                writer.write(.storeCurrent, oid: oid, dataLength: 2 * index, timestamp: 1_000 + UInt32(index))
                dataRecords += 1; dataBytes += 2 * index
            default:
                writer.write(.invalidateHitSavingNonCurrent, oid: oid, timestamp: 1_000 + UInt32(index))
            }
            if index % 4 < 2 { perOID[oid, default: 0] += 1 }
        }
        try writer.close()

        var options = CacheStatsOptions()
        options.loadHistogram = true
        options.sizeHistograms = true
        let outcome = try CacheStats.run(path: path, options: options, sink: MemorySink())
        let summary = outcome.summary
        XCTAssertEqual(summary.records, 1001)
        XCTAssertEqual(summary.loads, loads)
        XCTAssertEqual(summary.loadHits, hits)
        XCTAssertEqual(summary.dataRecords, dataRecords)
        XCTAssertEqual(summary.dataBytes, dataBytes)
        XCTAssertEqual(summary.averageDataSize, dataBytes / dataRecords)
        XCTAssertEqual(summary.firstTime, 1_000)
        XCTAssertEqual(summary.lastTime, 1_999)
        XCTAssertEqual(summary.bytesRead, UInt64(26 + 1000 * 34))
        XCTAssertEqual(summary.codes.map(\.code), ["00", "1c", "20", "22", "52"])
        XCTAssertEqual(summary.codes.map(\.count), [1, 250, 250, 250, 250])
        XCTAssertEqual(summary.hitRatePercent, 100.0 * Double(hits) / Double(loads))
        let histogram = try XCTUnwrap(summary.loadHistogram)
        XCTAssertEqual(histogram.uniqueOIDs, perOID.count)
        XCTAssertEqual(histogram.totalLoads, loads)
        XCTAssertEqual(histogram.bins.reduce(0) { $0 + $1.loads * $1.objects }, loads)
        let sizes = try XCTUnwrap(summary.sizeHistograms)
        XCTAssertEqual(sizes.written.count, 250, "every store had its own size")
        XCTAssertEqual(sizes.loaded.map(\.size), (0 ..< 250).map { 4 * $0 + 1 })
        XCTAssertTrue(sizes.loaded.allSatisfy { $0.objects == 1 && $0.records == 1 })
    }

    func testIntervalsAreEpochBucketsAndRestartsCloseThem() {
        var options = CacheStatsOptions()
        options.json = true
        options.intervalSeconds = 60
        let records = [
            record(120, 0x20, oid: 1),            // bucket 2
            record(150, 0x22, oid: 1, length: 9), // bucket 2
            record(170, 0x00, oid: 0),            // restart: closes [120, 170] (the restart counted in it)
            record(175, 0x52, oid: 1, length: 9), // bucket 2 again, new line
            record(185, 0x1C, oid: 1),            // bucket 3
            record(100, 0x10, oid: 1),            // time going backwards: bucket 1
        ]
        let engine = engine(records, options: options)
        XCTAssertEqual(engine.intervals.map(\.first), [120, 170, 185, 100])
        XCTAssertEqual(engine.intervals.map(\.last), [170, 175, 185, 100])
        XCTAssertEqual(engine.intervals[0].counts.loads, 2)
        XCTAssertEqual(engine.intervals[0].counts.hits, 1)
        XCTAssertEqual(engine.intervals[1].counts.writes, 1)
        XCTAssertEqual(engine.intervals[2].counts.invalidations, 1)
        XCTAssertEqual(engine.intervals[3].counts, IntervalCounts(), "0x10 is an invalidation miss: not counted")
        XCTAssertEqual(engine.restarts, [170])
    }

    func testOidsThatAreNot8BytesAreDistinctByteStrings() {
        var options = CacheStatsOptions()
        options.loadHistogram = true
        var engine = CacheStatsEngine(options: options, sink: nil)
        let oids: [[UInt8]] = [[], [], [1], [1], [1], [0, 0, 0, 0, 0, 0, 0, 1], [1, 0]]
        for oid in oids {
            let record = TraceRecord(timestamp: 5, encoded: 0x22, oidLength: UInt16(oid.count),
                                     oid: oid.count == 8 ? 1 : 0)
            oid.withUnsafeBytes { engine.consume(record, oidBytes: $0) }
        }
        engine.finish(bytesRead: 0, elapsedSeconds: 0)
        let histogram = engine.loadHistogram()
        XCTAssertEqual(histogram.uniqueOIDs, 4, "b'', b'\\x01', the 8-byte oid 1, b'\\x01\\x00'")
        XCTAssertEqual(histogram.bins.map(\.loads), [1, 2, 3])
        XCTAssertEqual(histogram.bins.map(\.objects), [2, 1, 1])
    }

    func testIntervalRuleMatchesZEO() {
        XCTAssertEqual(CacheStatsOptions.intervalSeconds(minutes: 15), 900)
        XCTAssertEqual(CacheStatsOptions.intervalSeconds(minutes: 0), 60)
        XCTAssertEqual(CacheStatsOptions.intervalSeconds(minutes: -3), 60)
        XCTAssertEqual(CacheStatsOptions.intervalSeconds(minutes: 0.5), 30)
        XCTAssertEqual(CacheStatsOptions.intervalSeconds(minutes: 0.01), 60, "int(0.6) = 0 → 60")
        XCTAssertEqual(CacheStatsOptions.intervalSeconds(minutes: 61), 3600)
        XCTAssertEqual(CacheStatsOptions.intervalSeconds(minutes: 1e300), 3600)
        XCTAssertNil(CacheStatsOptions.intervalSeconds(minutes: .infinity))
        XCTAssertNil(CacheStatsOptions.intervalSeconds(minutes: .nan))
    }
}
