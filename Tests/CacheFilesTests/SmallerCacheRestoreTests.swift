import CacheCore
import Foundation
import XCTest
import TestSupport
@testable import CacheFiles

/// What an operator does between two runs: shrink `cache-local-mb`. A file written by a
/// larger cache must fill a smaller one and stop cleanly, every time, and a file whose
/// checksums hold but whose entries do not must be refused and removed — never a crash (a
/// crash at open repeats on every restart, since the file stays).
final class SmallerCacheRestoreTests: CacheDirectoryTestCase {
    /// The writer's cache, in MB.
    let writerMB = 4.0

    /// A file of about `writerMB` of entries in many small blocks, so a reader that stops
    /// early leaves blocks read ahead and never handed back.
    func writeLargeFile() throws -> (URL, [PersistedEntry]) {
        let entries = Fixture.entries(count: Int(writerMB * 1_000_000) / 600, payloadSize: 512)
        var options = CacheDirectory.SaveOptions(maximumBytes: 1 << 30)
        options.blockSize = 16 << 10
        let report = try cacheDirectory.save(entries, identity: Fixture.identity, reachability: Fixture.everything(),
                                             options: options)
        return (try XCTUnwrap(report.file), entries)
    }

    func testEverySmallerCacheFillsAndStopsCleanly() throws {
        let (file, entries) = try writeLargeFile()
        let byKey = Dictionary(uniqueKeysWithValues: entries.map { ($0.key, $0) })
        for sixteenths in [1, 2, 3, 4, 6, 8, 12, 16, 32] {
            let mb = writerMB * Double(sixteenths) / 16
            for shards in [1, 4] {
                let cache = Fixture.cache(mb: mb, shards: shards)
                let report = Fixture.load(cacheDirectory, into: cache)
                let what = "\(mb) MB, \(shards) shards"
                XCTAssertEqual(report.rejected.count, 0, what)
                XCTAssertEqual(report.filesRead, [file], what)
                XCTAssertTrue(FileManager.default.fileExists(atPath: file.path), "a valid file stays: \(what)")
                let statistics = cache.statistics
                if sixteenths < 32 {
                    XCTAssertGreaterThan(Double(statistics.bytes), 0.9 * cache.options.capacityBytes.double,
                                         "a smaller cache fills: \(what)")
                } else {
                    XCTAssertEqual(report.entriesRestored, entries.count, "a cache as large holds the whole file: \(what)")
                }
                XCTAssertLessThanOrEqual(statistics.bytes, cache.options.capacityBytes, what)
                cache.checkInvariants()
                for restored in cache.exportEntries() {
                    XCTAssertEqual(restored.payload, byKey[restored.key]?.payload, "\(what): \(restored.key)")
                }
            }
        }
    }

    func testAFileWithValidChecksumsAndImpossibleEntriesIsRemoved() throws {
        // Entries the reader refuses (an actual TID after the key TID; TID 0), written with
        // correct checksums, at the start, the middle and the end of a many-block file.
        let forgeries: [(position: Int, keyTID: UInt64, actualTID: UInt64)] = [(0, 1000, 1001), (2000, 1000, 0), (6000, 1000, 1001)]
        for forgery in forgeries {
            var entries = Fixture.entries(count: 6001, payloadSize: 200)
            let victim = entries[forgery.position]
            entries[forgery.position] = PersistedEntry(key: Fixture.key(Int(victim.key.oid.rawValue), forgery.keyTID),
                                                       actualTID: TransactionID(forgery.actualTID), payload: victim.payload,
                                                       region: victim.region, frequency: Int(victim.frequency))
            for mb in [0.25, 4] {
                let file = try writeUnfiltered(entries)
                let cache = Fixture.cache(mb: mb, shards: 2)
                let report = Fixture.load(cacheDirectory, into: cache)
                let what = "forged entry at \(forgery.position), \(mb) MB"
                cache.checkInvariants()
                if report.rejected.count == 1 {
                    XCTAssertEqual(report.entriesRestored, 0, what)
                    XCTAssertEqual(cache.statistics.entries, 0, "what the file restored is taken out again: \(what)")
                    XCTAssertFalse(FileManager.default.fileExists(atPath: file.path), "the file is removed: \(what)")
                } else {
                    // Only a small cache may fill, and stop, before the reader gets to the entry.
                    XCTAssertTrue(forgery.position > 0 && mb < 1, "refused: \(what)")
                    XCTAssertEqual(report.rejected.count, 0, what)
                    try FileManager.default.removeItem(at: file)
                }
            }
        }
    }
}

extension SmallerCacheRestoreTests {
    /// Writes `entries` as a file of this directory as they are: `save` would leave an
    /// impossible fact out, but another writer (or a forger) need not.
    func writeUnfiltered(_ entries: [PersistedEntry]) throws -> URL {
        let url = directory.appendingPathComponent(CacheFile.fileName(prefix: "main", processID: 1, random: 1))
        let header = CacheFileHeader(isCompressed: false, prefix: "main", databaseIdentity: Fixture.identity,
                                     checkpoints: Fixture.checkpoints(1000, 1000), newestTID: TransactionID(1000),
                                     entryCount: entries.count,
                                     entryBytes: entries.reduce(0) { $0 + CacheFileWriter.recordSize($1) },
                                     writtenAt: 1, writerProcessID: 1)
        _ = try CacheFileWriter.write(header: header, entries: entries[...], to: url.path, blockSize: 8 << 10)
        return url
    }
}

private extension Int {
    var double: Double { Double(self) }
}
