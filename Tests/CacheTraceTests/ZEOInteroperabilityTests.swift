import CacheTrace
import Foundation
import XCTest

/// A trace written by our writer, read by ZEO's own `cache_stats` (when ZEO is installed:
/// `pip install ZEO`).
final class ZEOInteroperabilityTests: XCTestCase {
    private func python(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3"] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    func testZEOCacheStatsAcceptsOurTrace() throws {
        guard (try? python(["-c", "import ZEO"]))?.status == 0 else {
            throw XCTSkip("Python's ZEO is not importable (pip install ZEO to run this check)")
        }
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("ours.trace").path
        let writer = try TraceWriter(path: path)
        writer.writeRestart(timestamp: 1_700_000_000)
        for index in 0 ..< 500 {
            let oid = UInt64(index % 37)
            let ts = 1_700_000_001 + UInt32(index)
            if index % 3 == 0 {
                writer.write(.loadMiss, oid: oid, timestamp: ts)
                writer.write(.storeCurrent, oid: oid, tid: UInt64(index + 1), dataLength: 100 + index, timestamp: ts)
            } else {
                writer.write(.loadHit, oid: oid, tid: UInt64(index), dataLength: 100 + index, timestamp: ts)
            }
            if index % 50 == 0 { writer.write(.invalidateHitSavingNonCurrent, oid: oid, tid: UInt64(index + 2), timestamp: ts) }
        }
        try writer.close()
        let (status, output) = try python(["-m", "ZEO.scripts.cache_stats", "-h", "-s", path])
        XCTAssertEqual(status, 0, output)
        XCTAssertTrue(output.contains("_setup_trace (initialization)"), output)
    }
}
