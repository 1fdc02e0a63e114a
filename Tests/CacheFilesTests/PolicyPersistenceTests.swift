import XCTest
@testable import CacheCore

/// The policy's export and restore (CacheCore's persistence extensions): what comes back is
/// the same entries, in the same regions, with the same sketch estimates, and the structure
/// stays sound.
final class PolicyPersistenceTests: XCTestCase {
    func key(_ i: Int, _ tid: UInt64 = 5) -> CacheKey { CacheKey(oid: ObjectID(UInt64(i)), tid: TransactionID(tid)) }

    func policy(_ maximum: Int, expected: Int? = nil) -> WindowTinyLFU {
        WindowTinyLFU(configuration: .init(maximumWeight: maximum, adaptation: .fixed, expectedEntries: expected, seed: 1))
    }

    func payload(_ i: Int) -> [UInt8] { (0..<(i % 7 + 1)).map { UInt8(truncatingIfNeeded: i &+ $0) } }

    /// A policy with all three regions populated: hot keys hit many times (protected, high
    /// counts), warm keys hit once (promoted), cold keys seen once (probation or window).
    func populated() -> WindowTinyLFU {
        var p = policy(400, expected: 400)
        for i in 0..<400 { p.set(key(i), ObjectState(state: payload(i), tid: TransactionID(3)), weight: 1) }
        for _ in 0..<8 { for i in 0..<50 { _ = p.get(key(i)) } }   // hot
        for i in 50..<150 { _ = p.get(key(i)) }                     // warm
        p.checkInvariants()
        return p
    }

    func testExportRestoreKeepsEntriesRegionsAndFrequencies() {
        let original = populated()
        let exported = original.exportEntries()
        XCTAssertEqual(exported.count, original.count)
        XCTAssertEqual(Set(exported.map(\.region)), [.window, .probation, .protected], "the fixture must cover every region")
        var restored = policy(400, expected: 400)
        for entry in exported { XCTAssertTrue(restored.restore(entry, weight: 1)) }
        restored.checkInvariants()
        XCTAssertEqual(restored.count, original.count)
        for entry in exported {
            XCTAssertEqual(restored.region(of: entry.key), original.region(of: entry.key), "\(entry.key)")
            XCTAssertGreaterThanOrEqual(restored.frequency(of: entry.key), original.frequency(of: entry.key))
            XCTAssertEqual(restored.frequency(of: entry.key), Int(entry.frequency), "\(entry.key)")
            XCTAssertTrue(restored.contains(entry.key))
        }
        XCTAssertEqual(restored.exportEntries(), exported, "a restored policy exports the same entries in the same order")
        XCTAssertEqual(restored.counters.sets, 0, "restoring is not setting")
    }

    /// The export gathers its entries with prefetches ahead of the queue walk (and fetches a
    /// small arena whole first): it must list exactly what ``WindowTinyLFU/forEachPersistedEntry(_:)``
    /// lists, ranks included, for an arena small enough to fetch whole and one too large to,
    /// with freed slots among the live ones.
    func testExportListsWhatTheQueuesHoldWithTheirRanks() {
        for size in [300, 12_000] {
            var p = policy(size, expected: size)
            for i in 0..<(size + size / 2) { p.set(key(i), ObjectState(state: payload(i), tid: TransactionID(3)), weight: 1) }
            for i in stride(from: 0, to: size + size / 2, by: 7) { _ = p.get(key(i)); _ = p.get(key(i)) }
            for i in stride(from: 3, to: size + size / 2, by: 11) { p.remove(key(i)) }
            p.checkInvariants()
            XCTAssertGreaterThan(p.count, size / 2)
            var listed: [(entry: PersistedEntry, order: UInt64)] = []
            p.forEachPersistedEntry { entry, rank in
                listed.append((entry, PersistedEntry.valueOrderKey(frequency: entry.frequency, region: entry.region,
                                                                   recencyRank: rank, index: listed.count)))
            }
            let expected = listed.sorted { $0.order < $1.order }.map(\.entry)
            XCTAssertEqual(p.exportEntries(), expected, "\(size) entries")
            XCTAssertEqual(Set(expected.map(\.region)), [.window, .probation, .protected])
        }
    }

    func testExportIsInValueOrderAndNotAnAccess() {
        var p = populated()
        let countersBefore = p.counters
        let exported = p.exportEntries()
        XCTAssertEqual(p.counters, countersBefore)
        for (a, b) in zip(exported, exported.dropFirst()) {
            let ka = PersistedEntry.valueOrderKey(frequency: a.frequency, region: a.region, recencyRank: 0, index: 0)
            let kb = PersistedEntry.valueOrderKey(frequency: b.frequency, region: b.region, recencyRank: 0, index: 0)
            XCTAssertLessThanOrEqual(ka, kb, "\(a.key) (\(a.frequency), \(a.region)) before \(b.key) (\(b.frequency), \(b.region))")
        }
        let hot = Set((0..<50).map { key($0) })
        XCTAssertEqual(Set(exported.prefix(50).map(\.key)), hot, "the hot keys come first")
        XCTAssertTrue(exported.suffix(100).allSatisfy { $0.region != .protected }, "unhit keys come last")
        _ = p.get(key(0))
    }

    func testRestoredHotEntriesSurviveAScanThatFlushesNewcomers() {
        let original = populated()
        var restored = policy(400, expected: 400)
        for entry in original.exportEntries() { restored.restore(entry, weight: 1) }
        var cold = policy(400, expected: 400)
        for entry in original.exportEntries() {
            cold.set(entry.key, ObjectState(state: entry.payload, tid: entry.actualTID), weight: 1)  // a cold refill
        }
        for i in 10_000..<12_000 {
            restored.set(key(i), ObjectState(state: [1], tid: .zero), weight: 1)
            cold.set(key(i), ObjectState(state: [1], tid: .zero), weight: 1)
        }
        let hot = (0..<50).map { key($0) }
        XCTAssertEqual(hot.filter { restored.contains($0) }.count, 50, "restored counts keep the hot set through a scan")
        XCTAssertLessThan(hot.filter { cold.contains($0) }.count, 50, "without the counts the same scan costs hot entries")
        restored.checkInvariants()
    }

    func testRestoreNeverEvictsAndKeepsExistingEntries() {
        var p = policy(10, expected: 10)
        for i in 0..<5 { p.set(key(i), ObjectState(state: [UInt8(i)], tid: TransactionID(1)), weight: 1) }
        let duplicate = PersistedEntry(key: key(0), actualTID: TransactionID(2), payload: [99], region: .protected, frequency: 9)
        XCTAssertFalse(p.restore(duplicate, weight: 1), "an entry already cached wins")
        XCTAssertEqual(p.get(key(0))?.state, [0])
        var restored = 0
        for i in 100..<120 {
            if p.restore(PersistedEntry(key: key(i), actualTID: .zero, payload: [1], region: .probation, frequency: 3), weight: 1) {
                restored += 1
            }
        }
        XCTAssertEqual(restored, 5, "only the free room is filled")
        XCTAssertEqual(p.count, 10)
        XCTAssertEqual(p.counters.evictions, 0)
        XCTAssertFalse(p.restore(PersistedEntry(key: key(500), actualTID: .zero, payload: [], region: .window, frequency: 1), weight: 11))
        p.checkInvariants()
    }

    func testRegionsOverBudgetFallBackToProbation() {
        var p = policy(100, expected: 100)   // window 1, protected 79
        for i in 0..<100 {
            XCTAssertTrue(p.restore(PersistedEntry(key: key(i), actualTID: .zero, payload: [], region: i < 50 ? .window : .protected,
                                                   frequency: 2), weight: 1))
        }
        p.checkInvariants()
        var stats = CacheStatistics()
        p.accumulate(into: &stats)
        XCTAssertEqual(stats.window.entries, 1)
        XCTAssertEqual(stats.protected.entries, 50)
        XCTAssertEqual(stats.probation.entries, 49)
        XCTAssertEqual(p.region(of: key(0)), .window, "the first window entry restored keeps the window")
    }

    func testSketchGrowthDuringRestoreKeepsEstimates() {
        // A byte-weighted policy sizes its sketch from the weight and grows it with the count;
        // an ordinary growth forgets every count, a restore must not.
        var p = WindowTinyLFU(configuration: .init(maximumWeight: 10_000_000, seed: 1))
        let initialTable = p.sketch.tableSize
        var entries: [PersistedEntry] = []
        for i in 0..<(initialTable * 4) {
            entries.append(PersistedEntry(key: key(i), actualTID: .zero, payload: [1], region: .probation, frequency: 1 + i % 15))
        }
        for entry in entries { XCTAssertTrue(p.restore(entry, weight: 100)) }
        XCTAssertGreaterThan(p.sketch.tableSize, initialTable, "the sketch must have grown")
        for entry in entries {
            XCTAssertGreaterThanOrEqual(p.frequency(of: entry.key), Int(entry.frequency), "\(entry.key)")
        }
        p.checkInvariants()
    }

    func testRaiseOnlyRaises() {
        var sketch = FrequencySketch(capacity: 512)
        for _ in 0..<9 { sketch.increment(hashCode: 77) }
        sketch.raise(hashCode: 77, to: 4)
        XCTAssertEqual(sketch.frequency(hashCode: 77), 9)
        sketch.raise(hashCode: 78, to: 12)
        XCTAssertEqual(sketch.frequency(hashCode: 78), 12)
        sketch.raise(hashCode: 79, to: 99)
        XCTAssertEqual(sketch.frequency(hashCode: 79), 15, "clamped to four bits")
        XCTAssertEqual(sketch.size, 9, "raising is not an increment of the aging sample")
    }

    // MARK: - SharedStateCache

    func sharedCache(mb: Double, shards: Int?) -> SharedStateCache {
        var options = CacheOptions()
        options.cacheLocalMB = mb
        options.shardCount = shards
        options.seed = 9
        options.compression = .lz4
        return SharedStateCache(options: options)
    }

    func testSharedCacheRoundTripAcrossShards() throws {
        let cache = sharedCache(mb: 8, shards: 8)
        XCTAssertEqual(cache.shardCount, 8)
        for i in 0..<3000 {
            cache.set(key(i), ObjectState(state: [UInt8](repeating: UInt8(i % 251), count: 200 + i % 300), tid: TransactionID(4)))
        }
        for _ in 0..<4 { for i in 0..<300 { _ = cache.get(key(i)) } }
        let exported = cache.exportEntries()
        XCTAssertEqual(exported.count, 3000)
        XCTAssertTrue(exported.prefix(300).allSatisfy { $0.key.oid.rawValue < 300 }, "the hot entries of every shard come first")
        let restored = sharedCache(mb: 8, shards: 8)
        XCTAssertEqual(restored.restore(exported).count, 3000)
        restored.checkInvariants()
        XCTAssertEqual(restored.statistics.bytes, cache.statistics.bytes)
        XCTAssertEqual(restored.statistics.protected, cache.statistics.protected)
        let differing = (0..<3000).filter { restored.get(key($0)) != cache.get(key($0)) }
        XCTAssertEqual(differing, [], "keys whose state differs after the round trip")
    }

    func testSharedRestoreStopsAtCapacityAndSkipsOversizedPayloads() {
        let big = sharedCache(mb: 4, shards: 4)
        for i in 0..<10_000 { big.set(key(i), ObjectState(state: [UInt8](repeating: 7, count: 300), tid: .zero)) }
        let exported = big.exportEntries()
        let small = sharedCache(mb: 1, shards: 1)
        let restored = small.restore(exported)
        XCTAssertLessThan(restored.count, exported.count)
        XCTAssertLessThanOrEqual(small.statistics.bytes, 1_000_000)
        XCTAssertGreaterThan(small.statistics.bytes, 990_000, "restore fills the cache")
        XCTAssertEqual(small.statistics.evictions, 0)
        small.checkInvariants()
        var tinyObjects = CacheOptions()
        tinyObjects.cacheLocalObjectMax = 100
        let strict = SharedStateCache(options: tinyObjects)
        let sized = [99, 100, 150].enumerated().map { i, size in
            PersistedEntry(key: key(i), actualTID: .zero, payload: [UInt8](repeating: 1, count: size), region: .probation, frequency: 1)
        }
        XCTAssertEqual(strict.restore(sized), [key(0)], "payloads of cacheLocalObjectMax or more are refused")
    }

    /// Every entry lives in the shard the cache's own routing names, so restored entries are
    /// found by lookups.
    func testShardRoutingMatchesTheCache() {
        for shards in [1, 2, 4, 16] {
            let cache = sharedCache(mb: Double(shards) * 2, shards: shards)
            let policies = cache.shards
            XCTAssertEqual(policies.count, shards)
            for i in 0..<2000 { cache.set(key(i, UInt64(i % 13)), ObjectState(state: [1], tid: .zero)) }
            var seen = 0
            for (index, policy) in policies.enumerated() {
                policy.withExclusiveAccess { policy in
                    policy.policy.forEachPersistedEntry { entry, _ in
                        XCTAssertEqual(cache.shardIndex(entry.key), index, "\(entry.key)")
                        seen += 1
                    }
                }
            }
            XCTAssertEqual(seen, 2000)
        }
    }

    func testDisabledCacheExportsAndRestoresNothing() {
        var options = CacheOptions()
        options.cacheLocalMB = 0
        let cache = SharedStateCache(options: options)
        XCTAssertTrue(cache.exportEntries().isEmpty)
        XCTAssertTrue(cache.restore([PersistedEntry(key: key(1), actualTID: .zero, payload: [1], region: .window, frequency: 1)]).isEmpty)
    }
}
