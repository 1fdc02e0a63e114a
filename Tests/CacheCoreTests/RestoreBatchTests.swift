import XCTest
@testable import CacheCore

/// Restoring in batches (``RestoreBatch``, `WindowTinyLFU.restore(contentsOf:)`): a batch
/// restores exactly what restoring the same entries one by one restores — same entries, same
/// regions, same sketch estimates, same refusals — and routes every entry to the shard that
/// lookups will search.
final class RestoreBatchTests: XCTestCase {
    func key(_ i: Int, _ tid: UInt64 = 5) -> CacheKey { CacheKey(oid: ObjectID(UInt64(i)), tid: TransactionID(tid)) }

    /// Entries of every region and frequency, payloads of varied sizes, most valuable first.
    func entries(_ count: Int, from first: Int = 0) -> [PersistedEntry] {
        let regions: [WindowTinyLFU.Region] = [.protected, .probation, .window]
        return (first..<(first + count)).map { i in
            PersistedEntry(key: key(i), actualTID: TransactionID(3),
                           payload: [UInt8](repeating: UInt8(truncatingIfNeeded: i), count: 10 + i % 90),
                           region: regions[i % 3], frequency: 15 - i % 16)
        }
    }

    func byteWeighted(_ maximum: Int) -> WindowTinyLFU {
        WindowTinyLFU(configuration: .init(maximumWeight: maximum, adaptation: .fixed, seed: 1))
    }

    /// One by one, with the weights the bulk path uses.
    func restoredOneByOne(_ entries: [PersistedEntry], into policy: inout WindowTinyLFU, overhead: Int) -> [CacheKey] {
        var keys: [CacheKey] = []
        for entry in entries where policy.restore(entry, weight: entry.payload.count + overhead) { keys.append(entry.key) }
        return keys
    }

    /// Every entry's region and key, queue by queue, most recent first.
    func queueOrder(_ policy: WindowTinyLFU) -> [String] {
        var order: [String] = []
        policy.forEachPersistedEntry { entry, rank in order.append("\(entry.region) \(rank) \(entry.key)") }
        return order
    }

    func testABatchRestoresWhatOneByOneRestores() {
        // Room for about two thirds of the entries, a few keys already cached, a byte-weighted
        // sketch that has to grow on the way: every rule of a restore is exercised.
        let offered = entries(3000)
        for overhead in [0, 100] {
            var single = byteWeighted(100_000)
            var bulk = byteWeighted(100_000)
            for i in stride(from: 0, to: 3000, by: 97) {
                single.set(key(i), ObjectState(state: [1, 2, 3], tid: TransactionID(4)), weight: 50)
                bulk.set(key(i), ObjectState(state: [1, 2, 3], tid: TransactionID(4)), weight: 50)
            }
            let expected = restoredOneByOne(offered, into: &single, overhead: overhead)
            var run = offered
            var keys: [CacheKey] = []
            let count = bulk.restore(contentsOf: &run, overhead: overhead) { keys.append($0) }
            bulk.checkInvariants()
            XCTAssertEqual(count, keys.count)
            XCTAssertEqual(keys, expected, "overhead \(overhead): the same entries, in the same order")
            XCTAssertGreaterThan(expected.count, 500, "the fixture must restore many entries")
            XCTAssertLessThan(expected.count, offered.count - 31, "the fixture must run out of room")
            XCTAssertEqual(bulk.weight, single.weight)
            XCTAssertEqual(queueOrder(bulk), queueOrder(single), "the same regions, in the same order")
            let restoredKeys = Set(keys)
            for entry in offered where restoredKeys.contains(entry.key) {
                XCTAssertGreaterThanOrEqual(bulk.frequency(of: entry.key), Int(entry.frequency), "\(entry.key)")
            }
            XCTAssertEqual(bulk.counters.evictions, 0, "a restore never evicts")
            XCTAssertTrue(run.allSatisfy { restoredKeys.contains($0.key) == $0.payload.isEmpty },
                          "restored payloads are moved out of the run, the others stay")
        }
    }

    func testABatchKeepsEstimatesAcrossSketchGrowth() {
        var policy = byteWeighted(10_000_000)
        let initialTable = policy.sketch.tableSize
        policy.set(key(99_999_999), ObjectState(state: [9], tid: TransactionID(1)), weight: 100)
        for _ in 0..<5 { _ = policy.get(key(99_999_999)) }
        let before = policy.frequency(of: key(99_999_999))
        var run = entries(initialTable * 4, from: 100_000)
        let restored = policy.restore(contentsOf: &run, overhead: 100) { _ in }
        XCTAssertEqual(restored, initialTable * 4)
        XCTAssertGreaterThan(policy.sketch.tableSize, initialTable, "the sketch must have grown")
        XCTAssertGreaterThanOrEqual(policy.frequency(of: key(99_999_999)), before, "an entry cached before keeps its estimate")
        for entry in entries(initialTable * 4, from: 100_000) {
            XCTAssertGreaterThanOrEqual(policy.frequency(of: entry.key), Int(entry.frequency), "\(entry.key)")
        }
        policy.checkInvariants()
    }

    func sharedCache(mb: Double, shards: Int?, objectMax: Int? = nil) -> SharedStateCache {
        var options = CacheOptions()
        options.cacheLocalMB = mb
        options.shardCount = shards
        options.seed = 9
        if let objectMax { options.cacheLocalObjectMax = objectMax }
        return SharedStateCache(options: options)
    }

    func testBatchesRouteEntriesToTheShardsLookupsSearch() {
        let cache = sharedCache(mb: 4, shards: 16)
        var batch = RestoreBatch(for: cache)
        let offered = entries(2000)
        for entry in offered { batch.append(entry) }
        XCTAssertEqual(batch.count, 2000)
        XCTAssertEqual(batch.payloadBytes, offered.reduce(0) { $0 + $1.payload.count })
        var keys: [CacheKey] = []
        XCTAssertEqual(cache.restore(&batch, restoredKeys: &keys), 2000)
        XCTAssertTrue(batch.isEmpty, "a restored batch is emptied for reuse")
        XCTAssertEqual(Set(keys), Set(offered.map(\.key)))
        cache.checkInvariants()
        for entry in offered {
            XCTAssertEqual(cache.get(entry.key)?.state, entry.payload, "\(entry.key) is found where lookups search")
        }
        // The emptied batch serves again.
        for entry in entries(100, from: 5000) { batch.append(entry) }
        XCTAssertEqual(cache.restore(&batch, restoredKeys: &keys), 100)
        XCTAssertEqual(keys.count, 2100)
    }

    func testABatchMatchesTheArrayRestoreAndLeavesOutOversizedPayloads() {
        let offered = entries(3000)
        let fromArray = sharedCache(mb: 0.2, shards: 4, objectMax: 90)
        let fromBatch = sharedCache(mb: 0.2, shards: 4, objectMax: 90)
        let expected = fromArray.restore(offered)
        var batch = RestoreBatch(for: fromBatch)
        for entry in offered { batch.append(entry) }
        XCTAssertEqual(batch.count, offered.filter { $0.payload.count < 90 }.count, "payloads of cacheLocalObjectMax or more are left out")
        let offeredToCache = batch.count
        var keys: [CacheKey] = []
        fromBatch.restore(&batch, restoredKeys: &keys)
        XCTAssertEqual(Set(keys), Set(expected))
        XCTAssertLessThan(keys.count, offeredToCache, "the fixture must run out of room")
        XCTAssertEqual(fromBatch.statistics.bytes, fromArray.statistics.bytes)
        XCTAssertLessThanOrEqual(fromBatch.statistics.bytes, fromBatch.options.capacityBytes)
        XCTAssertEqual(fromBatch.exportEntries(), fromArray.exportEntries())
    }

    func testADisabledCacheTakesNothing() {
        let cache = sharedCache(mb: 0, shards: nil)
        var batch = RestoreBatch(for: cache)
        for entry in entries(10) { batch.append(entry) }
        XCTAssertTrue(batch.isEmpty)
        var keys: [CacheKey] = []
        XCTAssertEqual(cache.restore(&batch, restoredKeys: &keys), 0)
        XCTAssertEqual(keys, [])
    }

    /// The index's buckets and the node array's capacity of every shard.
    func capacities(_ cache: SharedStateCache) -> [(buckets: Int, nodes: Int)] {
        cache.shards.map { shard in
            shard.withExclusiveAccess { ($0.policy.index.buckets.count, $0.policy.arena.nodes.capacity) }
        }
    }

    func testReservingForARestoreChangesOnlyCapacities() {
        // A file's worth of entries into a cache with room for about half of them, a few keys
        // cached before: the reserved cache must end in exactly the state of the other one.
        let offered = entries(6000)
        let plain = sharedCache(mb: 0.4, shards: 8)
        let reserved = sharedCache(mb: 0.4, shards: 8)
        for cache in [plain, reserved] {
            for i in stride(from: 0, to: 6000, by: 101) { cache.set(key(i), ObjectState(state: [1, 2], tid: TransactionID(4))) }
        }
        let before = capacities(reserved)
        let meanPayload = offered.reduce(0) { $0 + $1.payload.count } / offered.count
        reserved.reserveForRestore(entries: offered.count, meanPayloadBytes: meanPayload)
        let afterReserve = capacities(reserved)
        XCTAssertTrue(zip(before, afterReserve).allSatisfy { $0.buckets < $1.buckets && $0.nodes < $1.nodes },
                      "every shard presized its index and its nodes")
        var plainBatch = RestoreBatch(for: plain)
        var reservedBatch = RestoreBatch(for: reserved)
        for entry in offered {
            plainBatch.append(entry)
            reservedBatch.append(entry)
        }
        var plainKeys: [CacheKey] = []
        var reservedKeys: [CacheKey] = []
        plain.restore(&plainBatch, restoredKeys: &plainKeys)
        reserved.restore(&reservedBatch, restoredKeys: &reservedKeys)
        XCTAssertEqual(reservedKeys, plainKeys)
        XCTAssertLessThan(reservedKeys.count, offered.count - 1000, "the fixture must run out of room")
        XCTAssertEqual(capacities(reserved).map(\.buckets), afterReserve.map(\.buckets), "no index grew during the restore")
        XCTAssertEqual(reserved.exportEntries(), plain.exportEntries(), "the same entries, regions, ranks and estimates")
        XCTAssertEqual(reserved.statistics, plain.statistics)
        reserved.checkInvariants()
        for i in 0..<6000 {
            XCTAssertEqual(reserved.get(key(i))?.state, plain.get(key(i))?.state, "key \(i)")
        }
    }

    func testAnIndexReservedAheadKeepsItsKeysAndItsLoadBound() {
        var policy = byteWeighted(10_000_000)
        for i in 0..<100 { policy.set(key(i), ObjectState(state: [1], tid: TransactionID(2)), weight: 10) }
        policy.index.reserve(entries: 1000)
        XCTAssertEqual(policy.index.buckets.count, 2048, "the smallest power of two holding 1,000 keys at a load of 3/4")
        policy.index.reserve(entries: 10)
        XCTAssertEqual(policy.index.buckets.count, 2048, "a reserve never shrinks the table")
        for i in 0..<100 { XCTAssertTrue(policy.contains(key(i)), "key \(i) is still found") }
        for i in 100..<1000 { policy.set(key(i), ObjectState(state: [1], tid: TransactionID(2)), weight: 10) }
        XCTAssertEqual(policy.index.buckets.count, 2048, "1,000 keys fit without a growth")
        policy.checkInvariants()
    }
}
