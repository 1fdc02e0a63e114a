import CacheTrace
import Foundation
import TestSupport
import XCTest

/// The reader on the real ZEO traces: counts, offsets, gzip, chunked sources, standard input.
final class TraceReaderTests: XCTestCase {
    private let plainTraces = ["small.trace", "tail-restart.trace", "restarts-only.trace",
                               "crash-append.trace", "zeo-app.trace"]

    func testWellFormedTracesDecodeEveryRecordOfTheManifest() throws {
        let manifest = try Fixtures.manifest()
        for name in ["small.trace", "tail-restart.trace", "restarts-only.trace", "zeo-app.trace"] {
            let reader = try TraceReader(path: Fixtures.trace(name))
            var offset: UInt64 = 0
            try reader.forEachRecord { record, oidBytes in
                XCTAssertEqual(record.offset, offset, name)
                XCTAssertNotEqual(record.timestamp, 0)
                XCTAssertEqual(oidBytes.count, Int(record.oidLength))
                if record.hasStandardOID {
                    XCTAssertEqual(record.oid, oidBytes.reduce(0) { $0 << 8 | UInt64($1) })
                } else {
                    XCTAssertEqual(record.oidLength, 0, "only restart records have other oids in \(name)")
                    XCTAssertEqual(record.code, .restart)
                }
                offset += UInt64(record.size)
            }
            XCTAssertEqual(reader.recordCount, manifest[name]?.records, name)
            XCTAssertEqual(reader.bytesRead, UInt64(manifest[name]?.bytes ?? -1), name)
            XCTAssertEqual(reader.skipCount, 0, name)
            XCTAssertNil(reader.truncation, name)
            XCTAssertTrue(reader.isFinished)
        }
    }

    func testStreamingReaderAgreesWithTheReferenceDecoderOnEveryFixture() throws {
        for name in plainTraces {
            let bytes = try Fixtures.bytes(name)
            for recovery in [MisalignmentRecovery.skipEightBytes, .skipHeader] {
                let reader = try TraceReader(path: Fixtures.trace(name), recovery: recovery)
                let events = try TraceSamples.events(reader)
                let expected = TraceSamples.referenceDecode(bytes, recovery: recovery)
                assertEventsEqual(events, expected.events, "\(name) \(recovery)")
                XCTAssertEqual(reader.truncation, expected.truncation, "\(name) \(recovery)")
                XCTAssertEqual(reader.bytesRead, UInt64(bytes.count))
            }
        }
    }

    func testCrashAppendedTraceIsReadLikeZEOReadsIt() throws {
        // ZEO's cache_stats counts 766 records (730 with -q) and 41,160 bytes in this trace.
        let skipping = try TraceReader(path: Fixtures.trace("crash-append.trace"))
        _ = try TraceSamples.events(skipping)
        XCTAssertEqual(skipping.recordCount, 766)
        XCTAssertEqual(skipping.bytesRead, 41_160)
        XCTAssertGreaterThan(skipping.skipCount, 0)
        XCTAssertEqual(skipping.truncation?.offset, 40_856)
        XCTAssertEqual(skipping.truncation?.part, .oid(declaredLength: 1002))

        let quiet = try TraceReader(path: Fixtures.trace("crash-append.trace"), recovery: .skipHeader)
        _ = try TraceSamples.events(quiet)
        XCTAssertEqual(quiet.recordCount, 730)
        XCTAssertEqual(quiet.bytesRead, 41_160)
    }

    func testGzipTraceReadsLikeItsPlainCopy() throws {
        let plain = try TraceSamples.events(TraceReader(path: Fixtures.trace("small.trace")))
        let gzipReader = try TraceReader(path: Fixtures.trace("small.trace.gz"))
        try assertEventsEqual(TraceSamples.events(gzipReader), plain)
        XCTAssertEqual(gzipReader.bytesRead, 7226, "the uncompressed size, as ZEO reports it")

        let manifest = try Fixtures.manifest()
        let zipf = try TraceReader(path: Fixtures.trace("zipf-pure.trace.gz"))
        try zipf.forEachRecord { _, _ in }
        XCTAssertEqual(zipf.recordCount, manifest["zipf-pure.trace"]?.records)
        XCTAssertEqual(zipf.bytesRead, UInt64(manifest["zipf-pure.trace"]?.bytes ?? -1))
    }

    func testRecordsStraddlingEveryChunkBoundaryDecodeTheSame() throws {
        let bytes = try Fixtures.bytes("crash-append.trace")
        let whole = try TraceSamples.events(TraceReader(source: MemoryByteSource(bytes)))
        for chunk in [1, 2, 3, 7, 25, 26, 27, 33, 34, 35, 4096] {
            let reader = TraceReader(source: MemoryByteSource(bytes, maxChunk: chunk))
            try assertEventsEqual(TraceSamples.events(reader), whole, "chunk \(chunk)")
            XCTAssertEqual(reader.bytesRead, UInt64(bytes.count))
        }
        // A small buffer forces many compactions (it is raised to hold the largest record).
        let small = TraceReader(source: MemoryByteSource(bytes, maxChunk: 5000), bufferSize: 1)
        try assertEventsEqual(TraceSamples.events(small), whole)
    }

    func testAThrowingCallbackStopsAndTheWalkResumesWhereItStopped() throws {
        struct Stop: Error {}
        let bytes = try Fixtures.bytes("small.trace")
        let all = try TraceSamples.events(TraceReader(source: MemoryByteSource(bytes)))
        let reader = TraceReader(source: MemoryByteSource(bytes, maxChunk: 100))
        var seen: [TraceSamples.Event] = []
        var calls = 0
        XCTAssertThrowsError(try reader.forEachEvent { event in
            if case .record(let record, let oid) = event { seen.append(.record(record, oid: Array(oid))) }
            calls += 1
            if calls == 50 { throw Stop() }
        })
        XCTAssertEqual(reader.recordCount, 50)
        XCTAssertFalse(reader.isFinished)
        seen += try TraceSamples.events(reader)
        XCTAssertEqual(seen, all)
        XCTAssertEqual(reader.recordCount, all.count)
    }

    func testDashReadsStandardInputFromARedirectedFile() throws {
        let expected = try TraceSamples.events(TraceReader(path: Fixtures.trace("small.trace")))
        let events = try StandardInput.redirected(fromFile: Fixtures.trace("small.trace")) {
            try TraceSamples.events(TraceReader(path: "-"))
        }
        assertEventsEqual(events, expected)
    }

    func testDashReadsStandardInputFromAPipe() throws {
        // ZEO's cache_stats dies with "Illegal seek" on a pipe; the reader never seeks.
        let bytes = try Fixtures.bytes("crash-append.trace")
        let expected = TraceSamples.referenceDecode(bytes, recovery: .skipEightBytes)
        let (events, truncation) = try StandardInput.piped(bytes) { () -> ([TraceSamples.Event], TraceTruncation?) in
            let reader = try TraceReader(path: "-")
            return (try TraceSamples.events(reader), reader.truncation)
        }
        assertEventsEqual(events, expected.events)
        XCTAssertEqual(truncation, expected.truncation)
    }
}
