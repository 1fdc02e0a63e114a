import CacheTrace
import Foundation
import XCTest
import TestSupport

/// A plain trace file is mapped into memory and decoded in place; everything the streaming
/// reader reports — records, skipped headers, an incomplete tail, the bytes read — must come
/// out the same, and input that cannot be mapped must still be read.
final class MappedTraceFileTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = try Fixtures.temporaryDirectory()
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    private func file(_ name: String, _ bytes: [UInt8]) -> String {
        let path = directory.appendingPathComponent(name).path
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data(bytes)))
        return path
    }

    /// A damaged trace: records, a zero-timestamp header, an odd-length oid, and whatever tail.
    private func damaged(tail: [UInt8]) -> [UInt8] {
        TraceSamples.record(timestamp: 1_700_000_000, code: 0x22, dataLength: 300, oid: TraceSamples.oid(7), tid: 0x03F7)
            + [UInt8](repeating: 0, count: 8)
            + TraceSamples.record(timestamp: 1_700_000_001, code: 0x20, oid: [1, 2, 3])
            + TraceSamples.record(timestamp: 1_700_000_002, code: 0x52, dataLength: 12, oid: TraceSamples.oid(8))
            + tail
    }

    private func assertSameAsStreamed(_ path: String, _ message: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let mapped = try TraceReader(path: path)
        let streamed = try TraceReader(path: path, mapping: false)
        XCTAssertTrue(mapped.isMapped, message, file: file, line: line)
        XCTAssertFalse(streamed.isMapped, message, file: file, line: line)
        assertEventsEqual(try TraceSamples.events(mapped), try TraceSamples.events(streamed), message, file: file, line: line)
        XCTAssertEqual(mapped.truncation, streamed.truncation, message, file: file, line: line)
        XCTAssertEqual(mapped.bytesRead, streamed.bytesRead, message, file: file, line: line)
        XCTAssertEqual(mapped.recordCount, streamed.recordCount, message, file: file, line: line)
        XCTAssertEqual(mapped.skipCount, streamed.skipCount, message, file: file, line: line)
        XCTAssertTrue(mapped.isFinished, message, file: file, line: line)
    }

    func testAMappedTraceReadsExactlyAsAStreamedOne() throws {
        try assertSameAsStreamed(file("whole.trace", damaged(tail: [])), "whole")
    }

    func testATruncatedTraceIsReportedTheSameWayWhenMapped() throws {
        let next = TraceSamples.record(timestamp: 1_700_000_003, code: 0x22, dataLength: 9, oid: TraceSamples.oid(9))
        // Every cut of the last record: inside its header, then inside its oid.
        for cut in 1 ..< next.count {
            let path = file("cut-\(cut).trace", damaged(tail: Array(next.prefix(cut))))
            try assertSameAsStreamed(path, "cut at \(cut)")
            let reader = try TraceReader(path: path)
            _ = try TraceSamples.events(reader)
            XCTAssertEqual(reader.truncation?.availableBytes, cut, "cut at \(cut)")
            XCTAssertEqual(reader.truncation?.part, cut < TraceFormat.headerSize ? .header : .oid(declaredLength: 8))
        }
    }

    func testGarbageIsDecodedAsTheStreamingReaderDecodesIt() throws {
        for size in [1, 25, 26, 27, 4096, 70_000] {
            // Deterministic bytes, never a zero timestamp: oid lengths of all sizes.
            let garbage = (0 ..< size).map { UInt8(truncatingIfNeeded: ($0 &* 2_654_435_761) >> 11) | 1 }
            try assertSameAsStreamed(file("garbage-\(size).trace", garbage), "\(size) bytes of garbage")
        }
    }

    func testAFileThatGrowsIsReadToTheSizeItHadWhenOpened() throws {
        let path = file("growing.trace", damaged(tail: []))
        let size = damaged(tail: []).count
        let reader = try TraceReader(path: path)
        let handle = try XCTUnwrap(FileHandle(forWritingAtPath: path))
        try handle.seekToEnd()
        try handle.write(contentsOf: TraceSamples.record(timestamp: 1_700_000_009, code: 0x20, oid: TraceSamples.oid(1)))
        try handle.close()
        _ = try TraceSamples.events(reader)
        XCTAssertEqual(reader.recordCount, 3)
        XCTAssertEqual(reader.bytesRead, UInt64(size))
        XCTAssertNil(reader.truncation)
    }

    func testInputThatCannotBeMappedIsStreamed() throws {
        let bytes = damaged(tail: [])
        let empty = try TraceReader(path: file("empty.trace", []))
        XCTAssertFalse(empty.isMapped, "an empty file has nothing to map")
        XCTAssertTrue(try TraceSamples.events(empty).isEmpty)

        let gzipPath = directory.appendingPathComponent("named.trace.gz").path
        let writer = try TraceWriter(path: gzipPath)
        writer.write(.loadMiss, oid: 5, timestamp: 1_700_000_000)
        try writer.close()
        let gzip = try TraceReader(path: gzipPath)
        XCTAssertFalse(gzip.isMapped, "gzip data is decompressed, not mapped")
        XCTAssertEqual(try TraceSamples.events(gzip).count, 1)

        let fifo = directory.appendingPathComponent("pipe").path
        XCTAssertEqual(mkfifo(fifo, 0o600), 0)
        let feeder = Thread {
            if let handle = FileHandle(forWritingAtPath: fifo) {
                handle.write(Data(bytes))
                try? handle.close()
            }
        }
        feeder.start()
        let piped = try TraceReader(path: fifo)
        XCTAssertFalse(piped.isMapped, "a pipe cannot be mapped")
        XCTAssertEqual(try TraceSamples.events(piped).count, 4)
        XCTAssertEqual(piped.bytesRead, UInt64(bytes.count))
    }
}
