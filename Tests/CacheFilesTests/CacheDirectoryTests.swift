import CacheCore
import Foundation
import XCTest
import TestSupport
@testable import CacheFiles

/// Saving, pruning and loading a directory of cache files.
final class CacheDirectoryTests: CacheDirectoryTestCase {
    /// A cache whose policy has clear favourites: hot keys read many times, then a stream of
    /// one-time keys.
    func rankedCache() -> SharedStateCache {
        let cache = Fixture.cache(mb: 2, shards: 2)
        for i in 0..<3000 {
            cache.set(Fixture.key(i, 1000), ObjectState(state: [UInt8](repeating: UInt8(i % 200), count: 300), tid: TransactionID(900)))
        }
        for _ in 0..<6 { for i in 0..<200 { _ = cache.get(Fixture.key(i, 1000)) } }
        for i in 200..<600 { _ = cache.get(Fixture.key(i, 1000)) }
        return cache
    }

    func testRoundTripThroughTheDirectory() throws {
        let cache = rankedCache()
        let exported = cache.exportEntries()
        let saved = try cacheDirectory.save(exported, identity: Fixture.identity, reachability: Fixture.everything(),
                                       options: .init(maximumBytes: 1 << 30))
        XCTAssertEqual(saved.entries, exported.count)
        XCTAssertEqual(saved.unreachableEntries, 0)
        XCTAssertEqual(saved.cappedEntries, 0)
        XCTAssertEqual(try Fixture.read(try XCTUnwrap(saved.file)), exported, "the file holds the export, in order")
        let restored = Fixture.cache(mb: 2, shards: 2)
        let loaded = Fixture.load(cacheDirectory, into: restored)
        XCTAssertEqual(loaded.entriesRestored, exported.count)
        XCTAssertEqual(loaded.checkpoints, Fixture.checkpoints(1000, 1000))
        restored.checkInvariants()
        let again = restored.exportEntries()
        let byKey = Dictionary(uniqueKeysWithValues: exported.map { ($0.key, $0) })
        XCTAssertEqual(Set(again.map(\.key)), Set(byKey.keys), "the same keys")
        XCTAssertEqual(again.filter { $0.payload != byKey[$0.key]?.payload || $0.actualTID != byKey[$0.key]?.actualTID }.count, 0,
                       "the same values")
        XCTAssertEqual(again.filter { $0.region != byKey[$0.key]?.region }.count, 0, "the same regions")
        XCTAssertEqual(again.filter { $0.frequency < byKey[$0.key]!.frequency }.count, 0, "no frequency lost")
        XCTAssertLessThan(again.filter { $0.frequency != byKey[$0.key]!.frequency }.count, 10,
                          "frequencies differ only where sketch counters collide")
        let hot = Set((0..<200).map { Fixture.key($0, 1000) })
        XCTAssertEqual(Set(exported.prefix(200).map(\.key)), hot)
        XCTAssertEqual(Set(again.prefix(200).map(\.key)), hot, "what ranked highest still ranks highest")
        XCTAssertEqual(restored.statistics.protected, cache.statistics.protected)
        XCTAssertEqual(restored.statistics.bytes, cache.statistics.bytes)
    }

    func testTheWriteCapKeepsTheMostValuableEntries() throws {
        let cache = rankedCache()
        let exported = cache.exportEntries()
        let cap = 250 * (30 + 300)
        let saved = try cacheDirectory.save(exported, identity: Fixture.identity, reachability: Fixture.everything(),
                                       options: .init(maximumBytes: cap))
        XCTAssertEqual(saved.entries, 250)
        XCTAssertEqual(saved.cappedEntries, exported.count - 250)
        XCTAssertLessThanOrEqual(saved.entryBytes, cap)
        let written = try Fixture.read(try XCTUnwrap(saved.file))
        XCTAssertEqual(written, Array(exported.prefix(250)))
        let hot = Set((0..<200).map { Fixture.key($0, 1000) })
        XCTAssertTrue(hot.isSubset(of: Set(written.map(\.key))), "every hot key made the cut")
        // The cut follows the sketch's estimates: nothing left out was estimated above anything
        // kept. A key stored and never read can still rank above the keys read once when the
        // count-min sketch over-estimates it (its four counters all shared with hotter keys):
        // a handful at most, never the many stored-only keys.
        let cut = exported.dropFirst(250)
        XCTAssertGreaterThanOrEqual(written.map(\.frequency).min() ?? 0, cut.map(\.frequency).max() ?? 0,
                                    "no entry left out was estimated above one written")
        XCTAssertLessThanOrEqual(written.filter { $0.key.oid.rawValue >= 600 }.count, 3,
                                 "keys never read make the cut only through sketch collisions")
    }

    func testOnlyReachableEntriesAreWritten() throws {
        // Checkpoints (1000, 800); object 1 changed at 1100, object 2 at 900, object 3 at 850 and 950.
        let rule = CacheReachability(checkpoints: Fixture.checkpoints(1000, 800),
                                     changes: [(ObjectID(1), TransactionID(1100)), (ObjectID(2), TransactionID(900)),
                                               (ObjectID(3), TransactionID(850)), (ObjectID(3), TransactionID(950))])
        func entry(_ oid: Int, _ keyTID: UInt64, _ actual: UInt64) -> PersistedEntry {
            PersistedEntry(key: Fixture.key(oid, keyTID), actualTID: TransactionID(actual),
                           payload: Fixture.payload(oid: oid, actualTID: actual), region: .probation, frequency: 1)
        }
        let all = [entry(1, 1000, 500), entry(1, 1100, 1100), entry(2, 1000, 900), entry(2, 800, 700), entry(2, 900, 900),
                   entry(3, 950, 950), entry(3, 850, 850), entry(4, 1000, 10), entry(4, 800, 10), entry(4, 700, 10),
                   entry(5, 990, 10)]
        let saved = try cacheDirectory.save(all, identity: Fixture.identity, reachability: rule, options: .init(maximumBytes: 1 << 20))
        let written = try Fixture.read(try XCTUnwrap(saved.file)).map(\.key)
        XCTAssertEqual(written, [Fixture.key(1, 1100), Fixture.key(2, 1000), Fixture.key(2, 900), Fixture.key(3, 950),
                                 Fixture.key(4, 1000), Fixture.key(4, 800)])
        XCTAssertEqual(saved.unreachableEntries, 5)
        let header = try CacheFileReader.header(at: try XCTUnwrap(saved.file).path).header
        XCTAssertEqual(header.newestTID, TransactionID(1100), "the newest fact")
        XCTAssertEqual(header.checkpoints, Fixture.checkpoints(1000, 800))
        // At open, an object changed since the file was written is dropped too.
        let cache = Fixture.cache()
        let loaded = Fixture.load(cacheDirectory, into: cache, last: 2000,
                                  changes: [(ObjectID(1), TransactionID(1100)), (ObjectID(2), TransactionID(900)),
                                            (ObjectID(3), TransactionID(950)), (ObjectID(4), TransactionID(1500))])
        XCTAssertEqual(loaded.entriesRestored, 4)
        XCTAssertEqual(loaded.entriesSkipped, 2)
        XCTAssertFalse(cache.contains(Fixture.key(4, 1000)), "object 4 changed after cp0: its cp0 entry is unreachable")
        XCTAssertFalse(cache.contains(Fixture.key(4, 800)))
        XCTAssertEqual(loaded.reachability?.deltaAfter1, [ObjectID(2): TransactionID(900), ObjectID(3): TransactionID(950)])
    }

    func testNothingWorthWritingWritesNoFile() throws {
        let saved = try cacheDirectory.save(Fixture.entries(count: 5, cp0: 500), identity: Fixture.identity,
                                       reachability: Fixture.everything(1000, 900), options: .init(maximumBytes: 1 << 20))
        XCTAssertNil(saved.file)
        XCTAssertEqual(saved.unreachableEntries, 5)
        XCTAssertTrue(scratch.names.isEmpty)
    }

    /// Saves a file whose newest fact is `tid` (entries at checkpoint `tid`).
    @discardableResult
    func saveFile(newest tid: UInt64, firstOID: Int = 1, count: Int = 10, keep: Int = 20,
                  prefix: String = "main") throws -> URL {
        let target = prefix == "main" ? cacheDirectory! : CacheDirectory(url: directory, prefix: prefix, logger: log.logger)
        let report = try target.save(Fixture.entries(count: count, cp0: tid, actual: 1, firstOID: firstOID),
                                     identity: Fixture.identity, reachability: Fixture.everything(tid, tid),
                                     options: .init(maximumBytes: 1 << 20, keepCount: keep))
        return try XCTUnwrap(report.file)
    }

    func testPruningKeepsTheFilesWithTheNewestDataNotTheNewestWrites() throws {
        // Written newest-data first, so file times and data ages disagree.
        var byTID: [UInt64: URL] = [:]
        for tid in stride(from: UInt64(1250), through: 1010, by: -10) {
            byTID[tid] = try saveFile(newest: tid, firstOID: Int(tid), keep: 20)
        }
        let other = try saveFile(newest: 5, keep: 1, prefix: "other")
        let remaining = Set(scratch.cacheFiles)
        XCTAssertEqual(remaining.count, 21)
        for (tid, url) in byTID {
            XCTAssertEqual(remaining.contains(url.lastPathComponent), tid >= 1060, "TID \(tid)")
        }
        XCTAssertTrue(remaining.contains(other.lastPathComponent), "another prefix's files are not ours to prune")
        XCTAssertTrue(log.warnings.isEmpty)
    }

    func testPruningRemovesDamagedForeignAndAbandonedFiles() throws {
        let kept = try saveFile(newest: 100)
        // Another database's file (written elsewhere: its writer would prune ours as foreign).
        let elsewhere = try ScratchFiles(label: "elsewhere")
        defer { elsewhere.remove() }
        let written = try XCTUnwrap(CacheDirectory(url: elsewhere.directory, prefix: "main").save(
            Fixture.entries(count: 3), identity: Fixture.otherIdentity, reachability: Fixture.everything(),
            options: .init(maximumBytes: 1 << 20)).file)
        let foreign = directory.appendingPathComponent(written.lastPathComponent)
        try FileManager.default.moveItem(at: written, to: foreign)
        let damaged = directory.appendingPathComponent(CacheFile.fileName(prefix: "main", processID: 9, random: 9))
        try Data([1, 2, 3]).write(to: damaged)
        let abandoned = directory.appendingPathComponent(CacheFile.fileName(prefix: "main", processID: Int32.max - 1, random: 1)
                                                           + CacheFile.temporarySuffix)
        try Data([1]).write(to: abandoned)
        let ours = directory.appendingPathComponent(CacheFile.fileName(prefix: "main", processID: getpid(), random: 2)
                                                      + CacheFile.temporarySuffix)
        try Data([1]).write(to: ours)
        let removed = Set(cacheDirectory.prune(identity: Fixture.identity, keepCount: 20))
        XCTAssertEqual(removed, [foreign, damaged, abandoned])
        XCTAssertEqual(Set(scratch.names), [kept.lastPathComponent, ours.lastPathComponent],
                       "a temporary file of a live writer stays")
        XCTAssertEqual(log.warnings.count, 2)
    }

    func testLoadReadsNewestFilesFirstUpToTheReadCount() throws {
        // Five files with disjoint objects and increasing newest TIDs, written oldest-data last.
        for (index, tid) in [UInt64(500), 400, 300, 200, 100].enumerated() {
            try saveFile(newest: tid, firstOID: 1000 * (index + 1), count: 10)
        }
        let cache = Fixture.cache()
        let report = Fixture.load(cacheDirectory, into: cache, readCount: 2)
        XCTAssertEqual(report.filesRead.count, 2)
        XCTAssertEqual(report.checkpoints, Fixture.checkpoints(500, 500), "the newest file's checkpoints")
        // Under the newest file's checkpoints only its own entries are reachable; the second
        // file's, filed under another checkpoint, are read and skipped.
        XCTAssertEqual(report.entriesRestored, 10)
        XCTAssertEqual(report.entriesSkipped, 10)
        XCTAssertEqual((0..<10).filter { !cache.contains(Fixture.key(1000 + $0, 500)) }, [])
        let all = Fixture.load(cacheDirectory, into: Fixture.cache())
        XCTAssertEqual(all.filesRead.count, 5)
    }

    func testLoadMergesDistinctKeysUntilTheCacheIsFull() throws {
        // Three files at the same checkpoints: overlapping objects, newest first wins.
        let cp: UInt64 = 1000
        func save(_ oids: Range<Int>, newestExtra: UInt64) throws {
            var entries = oids.map { oid in
                PersistedEntry(key: Fixture.key(oid, cp), actualTID: TransactionID(10),
                               payload: Fixture.payload(oid: oid, actualTID: 10, size: 2000), region: .protected, frequency: 5)
            }
            // One exact entry (object changed at `newestExtra`) sets each file's newest TID.
            let oid = 90_000 + Int(newestExtra)
            entries.append(PersistedEntry(key: Fixture.key(oid, newestExtra), actualTID: TransactionID(newestExtra),
                                          payload: [1], region: .window, frequency: 0))
            let rule = CacheReachability(checkpoints: Fixture.checkpoints(cp, cp), latestChanges: [ObjectID(UInt64(oid)): TransactionID(newestExtra)])
            try cacheDirectory.save(entries, identity: Fixture.identity, reachability: rule, options: .init(maximumBytes: 1 << 30))
        }
        try save(0..<300, newestExtra: 1003)
        try save(200..<500, newestExtra: 1002)
        try save(400..<900, newestExtra: 1001)
        let changes = [UInt64(1001), 1002, 1003].map { (oid: ObjectID(90_000 + $0), tid: TransactionID($0)) }
        let cache = Fixture.cache(mb: 1.5, shards: 1)   // room for about 690 entries of 2 kB
        let report = Fixture.load(cacheDirectory, into: cache, changes: changes)
        XCTAssertEqual(report.filesRead.count, 3)
        XCTAssertGreaterThan(Double(cache.statistics.bytes), 0.99 * 1_500_000)
        XCTAssertEqual((0..<680).filter { !cache.contains(Fixture.key($0, cp)) }, [], "objects missing")
        XCTAssertFalse(cache.contains(Fixture.key(899, cp)), "the oldest file's last entries did not fit")
        XCTAssertTrue(cache.contains(Fixture.key(91_003, 1003)))
        XCTAssertEqual(report.entriesRestored, cache.statistics.entries)
        cache.checkInvariants()
        // A full cache stops the reading: with the first file alone filling it, one file is read.
        let small = Fixture.cache(mb: 0.2, shards: 1)
        XCTAssertEqual(Fixture.load(cacheDirectory, into: small, changes: changes).filesRead.count, 1)
    }

    func testADisabledCacheOrAnEmptyDirectoryLoadsNothing() throws {
        XCTAssertEqual(Fixture.load(cacheDirectory).filesRead, [])
        try saveFile(newest: 100)
        XCTAssertEqual(Fixture.load(cacheDirectory, into: Fixture.cache(mb: 0)).entriesRestored, 0)
        let missing = CacheDirectory(url: directory.appendingPathComponent("nowhere"), prefix: "main")
        XCTAssertEqual(Fixture.load(missing).filesRead, [])
    }

    func testADatabaseThatCannotBeAskedLeavesTheCacheCold() throws {
        try saveFile(newest: 100)
        struct Unavailable: Error {}
        let cache = Fixture.cache()
        let report = cacheDirectory.load(into: cache, identity: Fixture.identity, lastTransaction: { throw Unavailable() },
                                    reachability: { checkpoints, _ in CacheReachability(checkpoints: checkpoints, latestChanges: [:]) })
        XCTAssertEqual(report.entriesRestored, 0)
        XCTAssertEqual(scratch.cacheFiles.count, 1, "the file is not at fault and stays")
        let declined = cacheDirectory.load(into: cache, identity: Fixture.identity, lastTransaction: { TransactionID(200) },
                                      reachability: { _, _ in nil })
        XCTAssertEqual(declined.entriesRestored, 0)
        XCTAssertEqual(cache.statistics.entries, 0)
    }
}
