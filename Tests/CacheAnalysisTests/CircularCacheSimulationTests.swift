import CacheAnalysis
import CacheTrace
import XCTest
import TestSupport

/// ZEO's circular file, step by step: the structure stays consistent after every record of every
/// fixture trace at sizes that wrap the file many times, and hand-made traces show each rule.
final class CircularCacheSimulationTests: XCTestCase {
    /// Replays `path` with invariant checks after every record; returns the simulation.
    @discardableResult
    private func replayChecked(_ path: String, limit: Int, rearrange: Double = 0.8,
                               checkEvery: Int = 1) throws -> CircularCacheSimulation {
        let reader = try TraceReader(path: path)
        var simulation = CircularCacheSimulation(limit: limit, rearrange: rearrange)
        var objects = ObjectInterner()
        var count = 0
        var failure: String?
        try reader.forEachRecord { record, oidBytes in
            guard failure == nil else { return }
            count += 1
            let code = UInt8(truncatingIfNeeded: record.encoded) & 0x7E
            guard code & 0x70 != 0 else { return }
            let object = record.oidLength == 8 ? objects.intern(record.oid) : objects.intern(bytes: oidBytes)
            simulation.apply(code: code, object: object, dataLength: record.dataLength, tid: record.tid, endTid: record.endTid)
            if count % checkEvery == 0, let violation = simulation.invariantViolation() {
                failure = "record \(count) (code \(String(code, radix: 16))): \(violation)"
            }
        }
        XCTAssertNil(failure ?? simulation.invariantViolation(), "\(path) at \(limit) bytes")
        return simulation
    }

    func testStaysConsistentOnEveryFixtureWhileWrapping() throws {
        // Small files wrap every few records; every record is checked on the small traces.
        for name in ["small.trace", "crash-append.trace", "tail-restart.trace"] {
            for limit in [2_000, 20_000, 52_428] {
                for rearrange in [0.0, 0.5, 0.8] {
                    try replayChecked(Fixtures.trace(name), limit: limit, rearrange: rearrange)
                }
            }
        }
        // A real application's trace through a file that wraps ~40 times, checked every 50 records.
        try replayChecked(Fixtures.trace("zeo-app.trace"), limit: 52_428, rearrange: 0.5, checkEvery: 50)
    }
}
