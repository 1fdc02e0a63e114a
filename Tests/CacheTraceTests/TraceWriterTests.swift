import CacheTrace
import Foundation
import TestSupport
import XCTest

/// The writer: byte layout, round trips, clamping, appending, concurrency, failures.
final class TraceWriterTests: ScratchDirectoryTestCase {
    private func path(_ name: String = "out.trace") -> String {
        directory.appendingPathComponent(name).path
    }

    private func readBack(_ path: String) throws -> [TraceSamples.Event] {
        try TraceSamples.events(TraceReader(path: path))
    }

    func testRecordBytesFollowTheFormat() throws {
        let writer = try TraceWriter(path: path())
        writer.writeRestart(timestamp: 0x6B01_A2E7)
        writer.write(.storeCurrent, oid: 0x0102_0304_0506_0708, tid: 0x03F7_17B6_0000_0000, endTid: 0x11,
                     dataLength: 7659, timestamp: 0x6B01_A2E8)
        try writer.close()
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path())))
        // The restart record of the reference notes (§1.2), then a store.
        let expected = TraceSamples.record(timestamp: 0x6B01_A2E7, code: 0, oid: [])
            + TraceSamples.record(timestamp: 0x6B01_A2E8, code: 0x52, dataLength: 7659,
                                  oid: [1, 2, 3, 4, 5, 6, 7, 8], tid: 0x03F7_17B6_0000_0000, endTid: 0x11)
        XCTAssertEqual(bytes, expected)
        XCTAssertEqual(Array(bytes.prefix(26)), [0x6B, 0x01, 0xA2, 0xE7] + [UInt8](repeating: 0, count: 22))
    }

    func testEveryCodeRoundTrips() throws {
        let writer = try TraceWriter(path: path())
        var written: [(TraceEventCode, UInt64, Int)] = []
        for (index, code) in (TraceEventCode.known + [TraceEventCode(0xD2), TraceEventCode(0x7F)]).enumerated() {
            let oid = UInt64(index) &* 0x0123_4567_89AB_CDEF
            writer.write(code, oid: oid, tid: UInt64(index + 1), endTid: UInt64(index * 3), dataLength: index * 100,
                         timestamp: 1_000 + UInt32(index))
            written.append((code, oid, index * 100))
        }
        try writer.close()
        let events = try readBack(path())
        XCTAssertEqual(events.count, written.count)
        for (index, (event, (code, oid, length))) in zip(events, written).enumerated() {
            guard case .record(let record, let oidBytes) = event else { return XCTFail("record expected") }
            XCTAssertEqual(record.code, code)
            XCTAssertEqual(record.oid, oid)
            XCTAssertEqual(oidBytes, TraceSamples.oid(oid))
            XCTAssertEqual(record.tid, UInt64(index + 1))
            XCTAssertEqual(record.endTid, UInt64(index * 3))
            XCTAssertEqual(record.dataLength, length)
            XCTAssertEqual(record.timestamp, 1_000 + UInt32(index))
        }
    }

    func testOversizedDataLengthIsClampedNotFatal() throws {
        let writer = try TraceWriter(path: path())
        writer.write(.storeCurrent, oid: 1, dataLength: 1 << 23)          // ZEO: struct.error
        writer.write(.storeCurrent, oid: 2, dataLength: Int.max)
        writer.write(.loadHit, oid: 3, dataLength: TraceFormat.maxDataLength)
        writer.write(.loadHit, oid: 4, dataLength: -5)
        try writer.close()
        let lengths = try readBack(path()).compactMap { event -> Int? in
            if case .record(let record, _) = event { return record.dataLength } else { return nil }
        }
        XCTAssertEqual(lengths, [TraceFormat.maxDataLength, TraceFormat.maxDataLength, TraceFormat.maxDataLength, 0])
        let codes = try readBack(path()).compactMap { event -> TraceEventCode? in
            if case .record(let record, _) = event { return record.code } else { return nil }
        }
        XCTAssertEqual(codes, [.storeCurrent, .storeCurrent, .loadHit, .loadHit], "the code byte survives clamping")
    }

    func testZeroTimestampAndOddOIDsAreWrittenSafely() throws {
        let writer = try TraceWriter(path: path())
        writer.write(.loadMiss, oid: 5, timestamp: 0)
        writer.write(.loadHit, oidBytes: [], dataLength: 12, timestamp: 7)            // RelStorage's root
        writer.write(.loadHit, oidBytes: [9, 8, 7], timestamp: 8)
        writer.write(.loadHit, oidBytes: [UInt8](repeating: 1, count: 70_000), timestamp: 9)
        try writer.close()
        let events = try readBack(path())
        XCTAssertEqual(events.count, 4, "a zero timestamp would have been skipped as misaligned")
        guard case .record(let first, _) = events[0], case .record(let root, let rootOID) = events[1],
              case .record(_, let short) = events[2], case .record(let long, let longOID) = events[3] else {
            return XCTFail("records expected")
        }
        XCTAssertEqual(first.timestamp, 1)
        XCTAssertEqual(root.oidLength, 0)
        XCTAssertEqual(rootOID, [])
        XCTAssertEqual(root.dataLength, 12)
        XCTAssertEqual(short, [9, 8, 7])
        XCTAssertEqual(long.oidLength, UInt16.max)
        XCTAssertEqual(longOID.count, TraceFormat.maxOIDLength)
    }

    func testCurrentTimestampIsNowAndRestartUsesIt() throws {
        let before = UInt32(Date().timeIntervalSince1970)
        let writer = try TraceWriter(path: path())
        writer.writeRestart()
        try writer.close()
        let after = UInt32(Date().timeIntervalSince1970)
        guard case .record(let record, let oid)? = try readBack(path()).first else { return XCTFail() }
        XCTAssertEqual(record.code, .restart)
        XCTAssertEqual(oid, [])
        XCTAssertEqual(record.tid, 0)
        XCTAssertEqual(record.encoded, 0)
        XCTAssertTrue((before ... after).contains(record.timestamp))
    }

    func testWritersAppendAndDeinitFlushes() throws {
        do {
            let writer = try TraceWriter(path: path())
            writer.writeRestart(timestamp: 10)
            writer.write(.loadMiss, oid: 1, timestamp: 11)
            // No close: deinit must flush.
        }
        do {
            let writer = try TraceWriter(path: path())
            writer.writeRestart(timestamp: 20)
            writer.write(.loadMiss, oid: 2, timestamp: 21)
            try writer.flush()
            XCTAssertEqual(try readBack(path()).count, 4, "flush writes through")
            try writer.close()
            try writer.close() // idempotent
            writer.write(.loadMiss, oid: 3, timestamp: 22) // dropped after close
        }
        let timestamps = try readBack(path()).compactMap { event -> UInt32? in
            if case .record(let record, _) = event { return record.timestamp } else { return nil }
        }
        XCTAssertEqual(timestamps, [10, 11, 20, 21])
    }

    func testLargeVolumesCrossTheFlushThreshold() throws {
        let writer = try TraceWriter(path: path())
        let count = 3 * TraceWriter.flushThreshold / TraceFormat.standardRecordSize + 17
        for index in 0 ..< count { writer.write(.loadHit, oid: UInt64(index), dataLength: index, timestamp: 5) }
        try writer.close()
        let events = try readBack(path())
        XCTAssertEqual(events.count, count)
        for (index, event) in events.enumerated() {
            guard case .record(let record, _) = event else { return XCTFail() }
            XCTAssertEqual(record.oid, UInt64(index))
            XCTAssertEqual(record.dataLength, index)
        }
    }

    /// A `.gz` path is written as gzip, one member per flush: readable after every flush and
    /// after reopening (appended members), record for record what a raw trace holds.
    func testGzipTracesReadBackRecordForRecord() throws {
        let gz = path("out.trace.gz"), raw = path("out.trace")
        let count = 2 * TraceWriter.flushThreshold / TraceFormat.standardRecordSize + 5
        for target in [gz, raw] {
            let writer = try TraceWriter(path: target)
            writer.writeRestart(timestamp: 3)
            for index in 0 ..< count { writer.write(.loadHit, oid: UInt64(index), tid: 7, dataLength: index % 900, timestamp: 5) }
            try writer.flush()
            if target == gz { XCTAssertEqual(try readBack(gz).count, count + 1, "readable after a flush") }
            try writer.close()
            let reopened = try TraceWriter(path: target)
            reopened.write(.storeCurrent, oid: 99, tid: 8, dataLength: 12, timestamp: 6)
            try reopened.close()
        }
        XCTAssertEqual(try readBack(gz), try readBack(raw))
        XCTAssertEqual(try readBack(gz).count, count + 2)
        let compressed = try FileManager.default.attributesOfItem(atPath: gz)[.size] as? Int ?? 0
        let plain = try FileManager.default.attributesOfItem(atPath: raw)[.size] as? Int ?? 0
        XCTAssertLessThan(compressed, plain / 3, "gzip pays: \(compressed) of \(plain) bytes")
        let header = try FileHandle(forReadingFrom: URL(fileURLWithPath: gz)).readData(ofLength: 2)
        XCTAssertEqual([UInt8](header), [0x1F, 0x8B], "a gzip file, as gzip -d and ZEO's tools expect")
    }

    func testUnwritablePathAndFailingWritesAreReported() throws {
        XCTAssertThrowsError(try TraceWriter(path: "/nonexistent-dir/x.trace")) { error in
            XCTAssertEqual(error as? TraceWriteError, .cannotOpen(path: "/nonexistent-dir/x.trace", errno: ENOENT))
            XCTAssertTrue(String(describing: error).hasPrefix("cannot write tracefile"))
        }
        guard FileManager.default.fileExists(atPath: "/dev/full") else { throw XCTSkip("no /dev/full here") }
        let writer = try TraceWriter(path: "/dev/full")
        writer.write(.loadMiss, oid: 1)
        XCTAssertThrowsError(try writer.flush()) { error in
            XCTAssertEqual(error as? TraceWriteError, .writeFailed(path: "/dev/full", errno: ENOSPC))
        }
        XCTAssertEqual(writer.firstError, ENOSPC)
        writer.write(.loadMiss, oid: 2) // recording goes on without crashing
        XCTAssertThrowsError(try writer.close())
    }
}
