import CacheCore
import Foundation
import XCTest
import TestSupport
@testable import CacheFiles

/// Damaged and foreign files: every one is skipped and removed with a warning, nothing of it
/// reaches the cache, and nothing crashes.
final class CacheFileCorruptionTests: CacheDirectoryTestCase {
    /// Writes a small file of several blocks (compressed or not) and returns its bytes and URL.
    func smallFile(compressed: Bool, count: Int = 8) throws -> (bytes: [UInt8], url: URL) {
        var options = CacheDirectory.SaveOptions(maximumBytes: 1 << 20, compress: compressed)
        options.blockSize = 100
        let report = try cacheDirectory.save(Fixture.entries(count: count, payloadSize: 24), identity: Fixture.identity,
                                        reachability: Fixture.everything(), options: options)
        let url = try XCTUnwrap(report.file)
        return (Array(try Data(contentsOf: url)), url)
    }

    /// Loads the directory and checks that the damaged file was rejected, removed and
    /// reported, and that nothing was restored.
    func assertRejected(_ url: URL, _ context: @autoclosure () -> String, file: StaticString = #filePath, line: UInt = #line) {
        let cache = Fixture.cache(mb: 0.05)
        let warningsBefore = log.warnings.count
        let report = Fixture.load(cacheDirectory, into: cache)
        XCTAssertEqual(report.entriesRestored, 0, context(), file: file, line: line)
        XCTAssertEqual(cache.statistics.entries, 0, context(), file: file, line: line)
        XCTAssertNil(report.checkpoints, context(), file: file, line: line)
        XCTAssertEqual(report.rejected.map(\.file.lastPathComponent), [url.lastPathComponent], context(), file: file, line: line)
        XCTAssertFalse(FileManager.default.fileExists(atPath: url.path), "removed: " + context(), file: file, line: line)
        XCTAssertEqual(log.warnings.count, warningsBefore + 1, "one warning: " + context(), file: file, line: line)
    }

    func testTheUndamagedFileLoads() throws {
        for compressed in [false, true] {
            let (_, url) = try smallFile(compressed: compressed)
            let cache = Fixture.cache()
            let report = Fixture.load(cacheDirectory, into: cache)
            XCTAssertEqual(report.entriesRestored, 8)
            XCTAssertEqual(report.filesRead, [url])
            XCTAssertTrue(report.rejected.isEmpty)
            XCTAssertTrue(log.warnings.isEmpty)
            try FileManager.default.removeItem(at: url)
        }
    }

    func testEveryTruncationIsRejected() throws {
        for compressed in [false, true] {
            let (bytes, url) = try smallFile(compressed: compressed)
            XCTAssertGreaterThan(bytes.count, 300)
            for length in 0..<bytes.count {
                try Data(bytes[..<length]).write(to: url)
                // The reader itself, then the directory (which must remove the file).
                XCTAssertThrowsError(try Fixture.read(url), "length \(length)")
                assertRejected(url, "compressed \(compressed), truncated to \(length) of \(bytes.count) bytes")
            }
        }
    }

    func testEverySingleByteChangeIsRejected() throws {
        var generator = SplitMix64(seed: 77)
        for compressed in [false, true] {
            let (bytes, url) = try smallFile(compressed: compressed)
            for offset in bytes.indices {
                var damaged = bytes
                damaged[offset] ^= UInt8(1 + generator.next() % 255)   // a nonzero change: every bit pattern
                try Data(damaged).write(to: url)
                XCTAssertThrowsError(try Fixture.read(url), "offset \(offset)")
                assertRejected(url, "compressed \(compressed), byte \(offset) of \(bytes.count) changed")
            }
        }
    }

    /// Uncompressed blocks larger than the reader's checksum piece
    /// (``CacheFileReader/checksumPiece``) are read and checked piece by piece: a change in any
    /// piece, at either side of a piece boundary, or a truncation inside a later piece, is still
    /// caught, and the undamaged file loads whole.
    func testDamageInAnyPieceOfALargeBlockIsRejected() throws {
        let report = try cacheDirectory.save(Fixture.entries(count: 200, payloadSize: 2000), identity: Fixture.identity,
                                             reachability: Fixture.everything(),
                                             options: CacheDirectory.SaveOptions(maximumBytes: 1 << 22, compress: false))
        let url = try XCTUnwrap(report.file)
        let bytes = Array(try Data(contentsOf: url))
        let piece = CacheFileReader.checksumPiece
        let body = Int(bytes[10]) << 8 + Int(bytes[11]) + CacheFile.blockHeaderSize   // the header's length, then the block's
        XCTAssertEqual(try Fixture.read(url).count, 200)
        XCTAssertGreaterThan(bytes.count - CacheFile.trailerSize - body, 3 * piece, "one block of several pieces")
        let cache = Fixture.cache(mb: 2)
        XCTAssertEqual(Fixture.load(cacheDirectory, into: cache).entriesRestored, 200, "the undamaged file loads whole")
        for offset in [body, body + piece - 1, body + piece, body + 2 * piece + 7, bytes.count - CacheFile.trailerSize - 1] {
            var damaged = bytes
            damaged[offset] ^= 0x40
            try Data(damaged).write(to: url)
            XCTAssertThrowsError(try Fixture.read(url), "offset \(offset)")
            assertRejected(url, "byte \(offset) of \(bytes.count) changed")
        }
        for length in [body + piece, body + piece + 1, body + 2 * piece + 100] {
            try Data(bytes[..<length]).write(to: url)
            XCTAssertThrowsError(try Fixture.read(url), "length \(length)")
            assertRejected(url, "truncated to \(length) of \(bytes.count) bytes")
        }
    }

    func testRandomDamageIsRejected() throws {
        var generator = SplitMix64(seed: 78)
        for round in 0..<300 {
            let (bytes, url) = try smallFile(compressed: round % 2 == 0, count: 3 + Int(generator.next() % 20))
            var damaged = bytes
            switch generator.next() % 4 {
            case 0:  // a run of random bytes
                let start = Int(generator.next() % UInt64(bytes.count))
                let length = 1 + Int(generator.next() % 16)
                for i in start..<min(bytes.count, start + length) { damaged[i] = UInt8(truncatingIfNeeded: generator.next()) }
                if damaged == bytes { damaged[start] ^= 1 }
            case 1:  // scattered bit flips
                for _ in 0..<(1 + generator.next() % 8) {
                    damaged[Int(generator.next() % UInt64(bytes.count))] ^= 1 << UInt8(generator.next() % 8)
                }
                if damaged == bytes { damaged[0] ^= 1 }
            case 2:  // bytes inserted
                let at = Int(generator.next() % UInt64(bytes.count))
                damaged.insert(contentsOf: (0..<(1 + generator.next() % 8)).map { _ in UInt8(truncatingIfNeeded: generator.next()) }, at: at)
            default:  // garbage appended
                damaged += (0..<(1 + generator.next() % 40)).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
            }
            try Data(damaged).write(to: url)
            assertRejected(url, "round \(round)")
        }
    }

    func testGarbageWithACacheFileName() throws {
        var generator = SplitMix64(seed: 79)
        for size in [0, 1, 7, 8, 12, 95, 96, 4096, 100_000] {
            let url = directory.appendingPathComponent(CacheFile.fileName(prefix: "main", processID: 1, random: UInt32(size)))
            var bytes = (0..<size).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
            if size >= 12 && size % 2 == 0 {  // our magic and version, then garbage
                bytes.replaceSubrange(0..<8, with: CacheFile.magic)
                bytes[8] = 0; bytes[9] = 1
            }
            try Data(bytes).write(to: url)
            assertRejected(url, "\(size) bytes of garbage")
        }
    }

    func testAForeignDatabaseIsRejected() throws {
        let report = try cacheDirectory.save(Fixture.entries(count: 5), identity: Fixture.otherIdentity,
                                        reachability: Fixture.everything(), options: .init(maximumBytes: 1 << 20))
        let url = try XCTUnwrap(report.file)
        assertRejected(url, "another database's file")
        XCTAssertTrue(log.warnings.last?.contains("another database") ?? false, log.warnings.last ?? "")
    }

    func testAFileOfAnotherPrefixUnderOurNameIsRejected() throws {
        let other = CacheDirectory(url: directory, prefix: "other", logger: log.logger)
        let report = try other.save(Fixture.entries(count: 5), identity: Fixture.identity,
                                    reachability: Fixture.everything(), options: .init(maximumBytes: 1 << 20))
        let written = try XCTUnwrap(report.file)
        // Left alone while it carries its own prefix's name…
        XCTAssertEqual(Fixture.load(cacheDirectory).rejected.count, 0)
        XCTAssertTrue(FileManager.default.fileExists(atPath: written.path))
        // …but renamed under ours, its header gives it away.
        let renamed = directory.appendingPathComponent(CacheFile.fileName(prefix: "main", processID: 2, random: 2))
        try FileManager.default.moveItem(at: written, to: renamed)
        assertRejected(renamed, "a file of prefix 'other' named as 'main'")
    }

    func testANewerVersionIsRejected() throws {
        for patchChecksum in [false, true] {
            var (bytes, url) = try smallFile(compressed: false)
            bytes[9] = 2  // version 2
            if patchChecksum {
                let headerLength = Int(bytes[10]) << 8 | Int(bytes[11])
                let crc = Checksum.crc32(Array(bytes[0..<(headerLength - 4)]))
                for i in 0..<4 { bytes[headerLength - 4 + i] = UInt8(truncatingIfNeeded: crc >> (24 - 8 * UInt32(i))) }
            }
            try Data(bytes).write(to: url)
            XCTAssertThrowsError(try Fixture.read(url)) { error in
                XCTAssertEqual(error as? CacheFileProblem, .unknownVersion(2))
            }
            assertRejected(url, "version 2, checksum patched: \(patchChecksum)")
        }
    }

    func testFactsNewerThanTheDatabaseAreRejected() throws {
        let report = try cacheDirectory.save(Fixture.entries(count: 5, cp0: 1000), identity: Fixture.identity,
                                        reachability: Fixture.everything(1000, 1000), options: .init(maximumBytes: 1 << 20))
        let url = try XCTUnwrap(report.file)
        let cache = Fixture.cache()
        let loaded = Fixture.load(cacheDirectory, into: cache, last: 999)   // the database ends before the file's facts
        XCTAssertEqual(loaded.entriesRestored, 0)
        XCTAssertEqual(loaded.rejected.first?.problem, .newerThanDatabase(newest: TransactionID(1000), lastTransaction: TransactionID(999)))
        XCTAssertFalse(FileManager.default.fileExists(atPath: url.path))
        XCTAssertEqual(cache.statistics.entries, 0)
    }

    func testADamagedNewerFileIsTakenOutAgainAndTheNextOneSetsTheCheckpoints() throws {
        let good = try cacheDirectory.save(Fixture.entries(count: 20, cp0: 900, actual: 800, firstOID: 1), identity: Fixture.identity,
                                      reachability: Fixture.everything(900, 900), options: .init(maximumBytes: 1 << 20))
        // The newer file (newest TID 1000) is damaged in its last block, after several blocks
        // of it were restored.
        var options = CacheDirectory.SaveOptions(maximumBytes: 1 << 20)
        options.blockSize = 300
        let bad = try cacheDirectory.save(Fixture.entries(count: 20, cp0: 1000, actual: 800, firstOID: 100), identity: Fixture.identity,
                                     reachability: Fixture.everything(1000, 1000), options: options)
        let badURL = try XCTUnwrap(bad.file)
        var bytes = Array(try Data(contentsOf: badURL))
        bytes[bytes.count - 40] ^= 0xFF
        try Data(bytes).write(to: badURL)
        let cache = Fixture.cache()
        let report = Fixture.load(cacheDirectory, into: cache)
        XCTAssertEqual(report.rejected.map(\.file), [badURL])
        XCTAssertEqual(report.filesRead, [try XCTUnwrap(good.file)])
        XCTAssertEqual(report.entriesRestored, 20)
        XCTAssertEqual(cache.statistics.entries, 20, "what the damaged file restored was taken out")
        XCTAssertEqual(report.checkpoints, Fixture.checkpoints(900, 900), "the checkpoints of the file that was used")
        for i in 100..<120 { XCTAssertFalse(cache.contains(Fixture.key(i, 1000))) }
        for i in 1...20 { XCTAssertTrue(cache.contains(Fixture.key(i, 900))) }
    }
}
