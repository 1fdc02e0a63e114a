import CacheCore
import XCTest

/// The shard layout the cache and `cache-simul --shards` share: counts, routing, budgets, seeds.
final class ShardLayoutTests: XCTestCase {
    /// The most shards, up to 256, that leave each 256 KiB (16 of the largest cacheable states).
    func testTheAutomaticCountKeepsAQuarterMegabytePerShard() {
        XCTAssertEqual(ShardLayout.automatic(capacity: 0).count, 1)
        XCTAssertEqual(ShardLayout.automatic(capacity: 524_287).count, 1)
        XCTAssertEqual(ShardLayout.automatic(capacity: 524_288).count, 2)
        XCTAssertEqual(ShardLayout.automatic(capacity: 10_000_000).count, 32)
        XCTAssertEqual(ShardLayout.automatic(capacity: 40_000_000).count, 128)
        XCTAssertEqual(ShardLayout.automatic(capacity: 1_000_000_000).count, 256)
        for capacity in [1, 1_000_000, 10_000_000, 41_600_000, 220_800_000, 1 << 40] {
            let layout = ShardLayout.automatic(capacity: capacity)
            XCTAssertLessThanOrEqual(layout.count, ShardLayout.maximumAutomaticCount)
            if layout.count > 1 {
                XCTAssertGreaterThanOrEqual(capacity / layout.count, ShardLayout.minimumAutomaticShardBytes)
                XCTAssertGreaterThanOrEqual(ShardLayout.minimumAutomaticShardBytes, 16 * CacheOptions().cacheLocalObjectMax)
            }
        }
    }

    /// Budgets add up to the capacity exactly and differ by at most one unit.
    func testBudgetsShareTheCapacityExactly() {
        for count in [1, 2, 64, 256] {
            let layout = ShardLayout(count: count)
            for capacity in [0, 1, 255, 1_000_003, 41_600_000] {
                let budgets = (0 ..< count).map { layout.budget(ofShard: $0, capacity: capacity) }
                XCTAssertEqual(budgets.reduce(0, +), capacity, "\(count) shards, \(capacity)")
                XCTAssertLessThanOrEqual(budgets.max()! - budgets.min()!, 1)
            }
        }
    }

    /// Every key lands in range; one shard takes everything; objects spread evenly over many,
    /// and every revision of an object (keys that differ only by TID) stays in its shard, so
    /// that one lock round answers a lookup with a fallback.
    func testKeysSpreadEvenlyOverTheShards() {
        XCTAssertEqual(ShardLayout(count: 1).shard(of: CacheKey(oid: ObjectID(123), tid: TransactionID(456))), 0)
        let layout = ShardLayout(count: 64)
        var byOID = [Int](repeating: 0, count: 64)
        var byTID = [Int](repeating: 0, count: 64)
        for n in 0 ..< 64_000 {
            byOID[layout.shard(of: CacheKey(oid: ObjectID(UInt64(n)), tid: TransactionID(7)))] += 1
            byTID[layout.shard(of: CacheKey(oid: ObjectID(7), tid: TransactionID(UInt64(n) << 20)))] += 1
        }
        // 1,000 expected per shard; a fair hash stays well within ±20%.
        XCTAssertGreaterThan(byOID.min()!, 800)
        XCTAssertLessThan(byOID.max()!, 1_200)
        XCTAssertEqual(byTID.filter { $0 > 0 }, [64_000], "one object's revisions share one shard")
    }

    /// Shards draw different jitter sequences from one cache seed, the same ones every time.
    func testShardSeedsDifferAndAreReproducible() {
        let layout = ShardLayout(count: 256)
        let seeds = (0 ..< 256).map { layout.seed(ofShard: $0, base: 42) }
        XCTAssertEqual(Set(seeds).count, 256)
        XCTAssertEqual(seeds, (0 ..< 256).map { ShardLayout(count: 256).seed(ofShard: $0, base: 42) })
        XCTAssertEqual(layout.seed(ofShard: 0, base: 42), 42)
    }
}
