import CacheTrace
import Foundation
import XCTest
import TestSupport

/// Many threads writing to one trace (run under ThreadSanitizer by `make test-tsan`).
final class TraceWriterConcurrencyTests: XCTestCase {
    func testConcurrentWritersNeverInterleaveRecords() throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("concurrent.trace").path
        let writer = try TraceWriter(path: path)
        let threads = 8, perThread = 4000
        DispatchQueue.concurrentPerform(iterations: threads) { thread in
            for sequence in 0 ..< perThread {
                // The record says who wrote it and when, in every field.
                let tag = UInt64(thread) << 32 | UInt64(sequence)
                if sequence % 97 == 0 {
                    writer.write(.loadHit, oidBytes: [UInt8(thread), 0xEE, UInt8(sequence & 0xFF)], tid: tag,
                                 dataLength: thread, timestamp: UInt32(1 + thread))
                } else {
                    writer.write(.storeCurrent, oid: tag, tid: tag, endTid: ~tag, dataLength: sequence,
                                 timestamp: UInt32(1 + thread))
                }
            }
        }
        try writer.close()
        var next = [Int](repeating: 0, count: threads)
        let reader = try TraceReader(path: path)
        try reader.forEachRecord { record, oidBytes in
            let thread = Int(record.tid >> 32), sequence = Int(record.tid & 0xFFFF_FFFF)
            XCTAssertEqual(record.timestamp, UInt32(1 + thread))
            XCTAssertEqual(sequence, next[thread], "per-thread order is kept")
            next[thread] += 1
            if sequence % 97 == 0 {
                XCTAssertEqual(Array(oidBytes), [UInt8(thread), 0xEE, UInt8(sequence & 0xFF)])
                XCTAssertEqual(record.dataLength, thread)
            } else {
                XCTAssertEqual(record.oid, record.tid)
                XCTAssertEqual(record.endTid, ~record.tid)
                XCTAssertEqual(record.dataLength, sequence)
                XCTAssertEqual(record.code, .storeCurrent)
            }
        }
        XCTAssertEqual(next, [Int](repeating: perThread, count: threads))
        XCTAssertEqual(reader.skipCount, 0)
        XCTAssertNil(reader.truncation)
    }
}
