import CacheTrace
import Foundation
import XCTest
import TestSupport

/// Damaged and hostile input: the reader reports, never fails on content, never crashes.
final class TraceReaderMalformedTests: XCTestCase {
    private let first = TraceSamples.record(timestamp: 1_700_000_000, code: 0x22, dataLength: 300,
                                            oid: TraceSamples.oid(7), tid: 0x03F7_17B6_0000_0000)
    private let second = TraceSamples.record(timestamp: 1_700_000_001, code: 0x20, oid: TraceSamples.oid(8))

    private func read(_ bytes: [UInt8], recovery: MisalignmentRecovery = .skipEightBytes)
        throws -> (events: [TraceSamples.Event], reader: TraceReader) {
        let reader = TraceReader(source: MemoryByteSource(bytes), recovery: recovery)
        return (try TraceSamples.events(reader), reader)
    }

    func testEmptyStreamHasNoRecordsAndNoTruncation() throws {
        let (events, reader) = try read([])
        XCTAssertTrue(events.isEmpty)
        XCTAssertNil(reader.truncation)
        XCTAssertEqual(reader.bytesRead, 0)
        XCTAssertTrue(reader.isFinished)
    }

    func testEmptyFileOnDiskAndEmptyGzipFile() throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        for name in ["empty.trace", "empty.trace.gz"] {
            let path = directory.appendingPathComponent(name).path
            _ = FileManager.default.createFile(atPath: path, contents: Data())
            let reader = try TraceReader(path: path)
            XCTAssertTrue(try TraceSamples.events(reader).isEmpty, name)
            XCTAssertEqual(reader.bytesRead, 0)
            XCTAssertNil(reader.truncation)
            XCTAssertTrue(reader.isFinished)
        }
    }

    func testTruncatedHeaderIsReportedWithItsOffset() throws {
        for cut in 1 ..< 26 {
            let (events, reader) = try read(first + second.prefix(cut))
            XCTAssertEqual(events.count, 1, "cut \(cut)")
            XCTAssertEqual(reader.truncation, TraceTruncation(offset: 34, availableBytes: cut, part: .header))
            XCTAssertEqual(reader.bytesRead, UInt64(34 + cut), "the tail counts as read, as in ZEO")
            XCTAssertTrue(String(describing: reader.truncation!).contains("offset 34"))
        }
    }

    func testTruncatedOIDIsReportedWithTheDeclaredLength() throws {
        for cut in 26 ..< 34 {
            let (events, reader) = try read(first + second.prefix(cut))
            XCTAssertEqual(events.count, 1)
            XCTAssertEqual(reader.truncation, TraceTruncation(offset: 34, availableBytes: cut, part: .oid(declaredLength: 8)))
            XCTAssertTrue(String(describing: reader.truncation!).contains("8-byte oid"))
        }
    }

    func testHugeOIDLengthSwallowsTheRestWithoutCrashing() throws {
        // A header claiming a 65,535-byte oid, followed by fewer bytes: a truncation, not a crash.
        var bytes = first
        bytes += TraceSamples.record(timestamp: 5, code: 0x22, oid: [])
        bytes[34 + 8] = 0xFF
        bytes[34 + 9] = 0xFF
        bytes += second + second
        let (events, reader) = try read(bytes)
        XCTAssertEqual(events.count, 1)
        XCTAssertEqual(reader.truncation?.part, .oid(declaredLength: 65_535))

        // The same length fully present is a (garbage) record like any other, as in ZEO.
        let full = TraceSamples.record(timestamp: 9, code: 0x7E, oid: [UInt8](repeating: 0xAB, count: 65_535))
        let (fullEvents, fullReader) = try read(full + second)
        XCTAssertEqual(fullEvents.count, 2)
        XCTAssertNil(fullReader.truncation)
        if case .record(let record, let oid)? = fullEvents.first {
            XCTAssertEqual(record.oidLength, 65_535)
            XCTAssertEqual(record.oid, 0, "only 8-byte oids have a value")
            XCTAssertEqual(oid.count, 65_535)
        } else {
            XCTFail("expected a record")
        }
    }

    func testZeroTimestampsAreSkippedEightBytesAtATime() throws {
        // A torn record: 8 zero bytes, then a whole record.
        var zeroHeader = TraceSamples.record(timestamp: 0, code: 0x22, oid: TraceSamples.oid(1))
        zeroHeader.replaceSubrange(8 ..< 10, with: [0, 8])
        let bytes = first + zeroHeader + second
        let (events, reader) = try read(bytes)
        XCTAssertEqual(events.first, .record(TraceRecord(offset: 0, timestamp: 1_700_000_000,
                                                         encoded: (300 << 8) | 0x22, oid: 7, tid: 0x03F7_17B6_0000_0000),
                                             oid: TraceSamples.oid(7)))
        XCTAssertEqual(events[1], .skipped(TraceSkip(offset: 34, byteCount: 8)))
        XCTAssertEqual(reader.skipCount, events.filter { if case .skipped = $0 { true } else { false } }.count)
        XCTAssertEqual(events.last, TraceSamples.referenceDecode(bytes, recovery: .skipEightBytes).events.last)
        XCTAssertEqual(reader.bytesRead, UInt64(bytes.count))
    }

    func testZeroTimestampWithQuietRecoverySkipsTheWholeHeader() throws {
        let zeroHeader = TraceSamples.record(timestamp: 0, code: 0x00, oid: [])
        let (events, reader) = try read(first + zeroHeader + second, recovery: .skipHeader)
        XCTAssertEqual(events.count, 3)
        XCTAssertEqual(events[1], .skipped(TraceSkip(offset: 34, byteCount: 26)))
        if case .record(let record, _) = events[2] { XCTAssertEqual(record.oid, 8) } else { XCTFail() }
        XCTAssertEqual(reader.recordCount, 2)
    }

    func testAllZeroFileIsOnlySkips() throws {
        let (events, reader) = try read([UInt8](repeating: 0, count: 1000))
        XCTAssertEqual(reader.recordCount, 0)
        XCTAssertEqual(events.count, reader.skipCount)
        XCTAssertEqual(reader.skipCount, (1000 - 26) / 8 + 1)
        XCTAssertEqual(reader.truncation?.part, .header)
    }

    func testGarbageBytesDecodeDeterministically() throws {
        let garbage = (0 ..< 5000).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 13) }
        let (events, reader) = try read(garbage)
        let expected = TraceSamples.referenceDecode(garbage, recovery: .skipEightBytes)
        assertEventsEqual(events, expected.events)
        XCTAssertEqual(reader.truncation, expected.truncation)
    }

    func testMissingFileAndDirectoryCannotBeOpened() {
        XCTAssertThrowsError(try TraceReader(path: "/nonexistent/dir/x.trace")) { error in
            XCTAssertEqual(error as? TraceReadError, .cannotOpen(path: "/nonexistent/dir/x.trace", errno: ENOENT))
            XCTAssertTrue(String(describing: error).contains("No such file or directory"))
        }
        XCTAssertThrowsError(try TraceReader(path: NSTemporaryDirectory())) { error in
            XCTAssertEqual(error as? TraceReadError, .cannotOpen(path: NSTemporaryDirectory(), errno: EISDIR))
        }
    }

    // MARK: gzip

    private func gzipFile(_ bytes: [UInt8], name: String = "t.trace.gz") throws -> (URL, String) {
        let directory = try Fixtures.temporaryDirectory()
        let path = directory.appendingPathComponent(name).path
        _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
        return (directory, path)
    }

    func testConcatenatedGzipMembersAndZeroPaddingAreOneStream() throws {
        let member = try Fixtures.bytes("small.trace.gz")
        let (directory, path) = try gzipFile(member + [0, 0, 0] + member + [0, 0])
        defer { try? FileManager.default.removeItem(at: directory) }
        let reader = try TraceReader(path: path)
        try reader.forEachRecord { _, _ in }
        XCTAssertEqual(reader.recordCount, 2 * 213)
        XCTAssertEqual(reader.bytesRead, 2 * 7226)
        XCTAssertNil(reader.truncation)
    }

    func testTruncatedGzipDeliversWhatItHasThenThrows() throws {
        let member = try Fixtures.bytes("zipf-pure.trace.gz")
        let (directory, path) = try gzipFile(Array(member.prefix(member.count / 2)))
        defer { try? FileManager.default.removeItem(at: directory) }
        let reader = try TraceReader(path: path)
        var records = 0
        XCTAssertThrowsError(try reader.forEachRecord { _, _ in records += 1 }) { error in
            guard case .truncatedCompressedData(let name, let offset)? = error as? TraceReadError else {
                return XCTFail("unexpected \(error)")
            }
            XCTAssertEqual(name, path)
            XCTAssertGreaterThan(offset, 0)
        }
        XCTAssertGreaterThan(records, 1000, "records before the cut were delivered")
        XCTAssertEqual(reader.recordCount, records)
    }

    func testCorruptGzipThrowsAClearError() throws {
        var member = try Fixtures.bytes("zipf-pure.trace.gz")
        for index in stride(from: member.count / 3, to: member.count / 3 + 64, by: 1) { member[index] ^= 0x5A }
        let (directory, path) = try gzipFile(member)
        defer { try? FileManager.default.removeItem(at: directory) }
        let reader = try TraceReader(path: path)
        XCTAssertThrowsError(try reader.forEachRecord { _, _ in }) { error in
            guard case .corruptCompressedData(_, let message, _)? = error as? TraceReadError else {
                return XCTFail("unexpected \(error)")
            }
            XCTAssertFalse(message.isEmpty)
            XCTAssertTrue(String(describing: error).contains("corrupt compressed data"))
        }
    }

    func testPlainTraceNamedGzIsAnErrorAndGzipNotNamedGzIsGunzipped() throws {
        // ZEO decides by the name alone: a `.gz` name is gunzipped, so a plain trace named so
        // is an error for both. Its tools read gzip data under another name as raw records
        // (garbage); ours tell gzip by its magic bytes and read the trace inside.
        let plain = try Fixtures.bytes("small.trace")
        let (directory, path) = try gzipFile(plain, name: "plain.trace.gz")
        defer { try? FileManager.default.removeItem(at: directory) }
        XCTAssertThrowsError(try TraceReader(path: path).forEachRecord { _, _ in })

        let gzip = try Fixtures.bytes("small.trace.gz")
        let unnamedPath = directory.appendingPathComponent("compressed.trace").path
        _ = FileManager.default.createFile(atPath: unnamedPath, contents: Data(gzip))
        let reader = try TraceReader(path: unnamedPath)
        try assertEventsEqual(TraceSamples.events(reader), TraceSamples.referenceDecode(plain, recovery: .skipEightBytes).events)
    }

    func testCompressedDataIsToldByItsFirstBytesEvenOnAPipe() throws {
        let plain = try Fixtures.bytes("small.trace")
        // Short reads, as a pipe gives them: the magic is assembled across them.
        let peeked = try PeekingByteSource(MemoryByteSource(try Fixtures.bytes("small.trace.gz"), maxChunk: 1))
        XCTAssertEqual(InputCompression.detect(prefix: peeked.prefix), .gzip)
        let gunzipped = try InputCompression.decompressing(MemoryByteSource(try Fixtures.bytes("small.trace.gz"), maxChunk: 3),
                                                           gzipByName: false)
        try assertEventsEqual(TraceSamples.events(TraceReader(source: gunzipped)),
                              TraceSamples.referenceDecode(plain, recovery: .skipEightBytes).events)
        // A plain trace passes through whole, its first bytes included.
        let raw = try InputCompression.decompressing(MemoryByteSource(plain, maxChunk: 5), gzipByName: false)
        try assertEventsEqual(TraceSamples.events(TraceReader(source: raw)),
                              TraceSamples.referenceDecode(plain, recovery: .skipEightBytes).events)
        // bzip2, zstd and LZ4 are named, never read as records (xz too, here: CacheTrace does not
        // link liblzma; the tools read xz through CacheAnalysis's TraceInput); a trace whose first timestamp
        // merely starts like bzip2's "BZh" (April 2005) is still a trace.
        for (magic, name) in [([UInt8]([0x42, 0x5A, 0x68, 0x39, 0x31, 0x41, 0x59, 0x26, 0x53, 0x59]), "bzip2"),
                              ([0x28, 0xB5, 0x2F, 0xFD], "zstd"), ([0x04, 0x22, 0x4D, 0x18], "LZ4 frame"),
                              ([0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00], "xz")] {
            XCTAssertThrowsError(try InputCompression.decompressing(MemoryByteSource(magic + plain), gzipByName: false)) { error in
                guard case .unsupportedCompression(_, let found, _)? = error as? TraceReadError else { return XCTFail("\(error)") }
                XCTAssertEqual(found, name)
            }
        }
        var april2005 = plain
        april2005.replaceSubrange(0 ..< 4, with: [0x42, 0x5A, 0x68, 0x39])
        XCTAssertEqual(InputCompression.detect(prefix: Array(april2005.prefix(10))), .none)
    }
}
