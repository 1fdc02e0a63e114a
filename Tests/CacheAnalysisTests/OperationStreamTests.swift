import CacheAnalysis
import CacheCore
import CacheTrace
import XCTest

/// The event → operation mapping, rule by rule, on hand-made records.
final class OperationStreamTests: XCTestCase {
    private func record(_ code: TraceEventCode, _ oid: UInt64, length: Int = 0, tid: UInt64 = 0) -> TraceRecord {
        TraceRecord(timestamp: 1_700_000_000, encoded: TraceFormat.encode(code: code.rawValue, dataLength: length),
                    oid: oid, tid: tid)
    }

    private func stream(_ records: [TraceRecord], everyRecord: Bool = false) -> OperationStream {
        var builder = OperationStreamBuilder(everyRecord: everyRecord)
        for record in records {
            withUnsafeBytes(of: record.oid.bigEndian) { builder.add(record, oidBytes: $0) }
        }
        return builder.finish()
    }

    /// (kind, key, size) of every operation.
    private func operations(_ stream: OperationStream) -> [String] {
        (0 ..< stream.count).map { index in
            let kind = ["request", "store", "invalidate", "restart"][Int(stream.kinds[index])]
            return stream.kind(index) == .restart ? kind
                : "\(kind) \(stream.keys[Int(stream.objects[index])]) \(stream.sizes[index])"
        }
    }

    func testZEO5sRepeatedMissIsOneRequestFilledByItsStore() {
        // ZEO ≥ 5: one missed load = 20 24 20 24 52 (interleaved with another object's hit).
        let s = stream([record(.loadMiss, 7), record(.loadNonCurrentMiss, 7), record(.loadHit, 9, length: 50),
                        record(.loadMiss, 7), record(.loadNonCurrentMiss, 7), record(.storeCurrent, 7, length: 300),
                        record(.loadHit, 7, length: 300)])
        XCTAssertEqual(operations(s), ["request 7 300", "request 9 50", "request 7 300"])
        XCTAssertEqual(s.summary.foldedLoads, 3)
        XCTAssertEqual(s.summary.fills, 1)
        XCTAssertEqual(s.requestCount, 3)
        // Literally: five requests and a store.
        let literal = stream([record(.loadMiss, 7), record(.loadNonCurrentMiss, 7), record(.loadMiss, 7),
                              record(.storeCurrent, 7, length: 300)], everyRecord: true)
        XCTAssertEqual(operations(literal), ["request 7 0", "request 7 0", "request 7 0", "store 7 300"])
    }

    func testRepeatedCurrentMissesStaySeparateRequests() {
        // A converted research trace: every access a 0x20; "5 5" is two requests (the second hits).
        let s = stream([record(.loadMiss, 5), record(.loadMiss, 5), record(.loadMiss, 6)])
        XCTAssertEqual(operations(s), ["request 5 0", "request 5 0", "request 6 0"])
        XCTAssertEqual(s.summary.foldedLoads, 0)
    }

    func testSizesComeFromTheMostRecentKnownState() {
        let s = stream([record(.storeCurrent, 1, length: 100),       // a commit: a store
                        record(.invalidateHitSavingNonCurrent, 1, tid: 5),
                        record(.loadMiss, 1),                         // miss, no fill: the last size known
                        record(.loadHit, 2, length: 70),              // a hit carries its size
                        record(.loadMiss, 2),                         // then a miss of it: 70
                        record(.restart, 0),
                        record(.storeCurrent, 2, length: 90)])        // after a restart: not a fill
        XCTAssertEqual(operations(s), ["store 1 100", "invalidate 1 0", "request 1 100", "request 2 70",
                                       "request 2 70", "restart", "store 2 90"])
        XCTAssertEqual(s.summary.fills, 0)
    }

    func testRestartsAndMeaninglessCodes() {
        var garbage = record(.loadHit, 3)
        garbage.encoded = 0x0000_0036  // 0x36: no operation means 0x3_
        let s = stream([record(.restart, 0), garbage, record(.invalidateMiss, 3)])
        XCTAssertEqual(operations(s), ["restart", "invalidate 3 0"])
        XCTAssertEqual(s.summary.ignoredRecords, 1)
        XCTAssertEqual(s.summary.restarts, 1)
    }

    func testOddOidsHaveKeysOfTheirOwn() {
        var builder = OperationStreamBuilder()
        var root = record(.loadHit, 0, length: 10)
        root.oidLength = 0  // RelStorage's root object
        builder.add(root, oidBytes: UnsafeRawBufferPointer(start: nil, count: 0))
        builder.add(record(.loadHit, 0, length: 10), oidBytes: UnsafeRawBufferPointer(start: nil, count: 0))
        var odd = record(.loadHit, 0, length: 10)
        odd.oidLength = 3
        [UInt8]([1, 2, 3]).withUnsafeBytes { builder.add(odd, oidBytes: $0) }
        let s = builder.finish()
        XCTAssertEqual(s.objectCount, 2, "the empty oid is OID 0; a 3-byte oid is another object")
        XCTAssertEqual(s.keys[0], 0)
        XCTAssertNotEqual(s.keys[1] >> 63, 0, "odd oids hash to keys with the top bit set")
    }

    func testTheWeightsAreTheCachesOwn() {
        XCTAssertEqual(SimulationCapacity.megabytes(1).weight(size: 100), 100 + CacheOptions.entryOverhead)
        XCTAssertEqual(SimulationCapacity.megabytes(1).weight(size: 16_383), 16_383 + CacheOptions.entryOverhead)
        XCTAssertEqual(SimulationCapacity.megabytes(1).weight(size: 16_384), -1, "cacheLocalObjectMax: not cached")
        XCTAssertEqual(SimulationCapacity.entries(10).weight(size: 1_000_000), 1)
        XCTAssertEqual(SimulationCapacity.megabytes(20).limit, 20_000_000, "MB of 10⁶ bytes, as cacheLocalMB")
        XCTAssertEqual(CircularSimulationOptions.limit(megabytes: 20), 20_971_520, "ZEO's -s: MiB")
        XCTAssertEqual(CircularSimulationOptions.limit(megabytes: 0.05), 52_428)
    }

    /// A stream of restarts only has no objects; every replay still runs (issue #26: the sweep
    /// looked up the key of object 0 for each restart, in an empty table).
    func testRestartsOnlyHaveNoObjectsAndReplay() {
        let s = stream([record(.restart, 0), record(.restart, 0)])
        XCTAssertEqual(s.objectCount, 0)
        XCTAssertEqual(s.operationKeys(), [0, 0])
        var settings = SimulationSettings()
        settings.coldRestarts = true
        let results = SimulationSweep.run(s, policies: SimulationPolicy.sweepable, capacities: [.entries(10), .megabytes(1)],
                                          settings: settings)
        XCTAssertEqual(results.count, 2 * SimulationPolicy.sweepable.count)
        XCTAssertTrue(results.allSatisfy { $0.requests == 0 && $0.hits == 0 })
    }
}
