import CacheAnalysis
import CacheCore
import XCTest
import TestSupport

/// `cache-simul --shards`: a sharded W-TinyLFU simulation is the sharded cache, hit for hit,
/// and the sweep runs it even where one policy would never evict.
final class ShardedSimulationTests: XCTestCase {
    /// Replays `stream` through a ``SharedStateCache`` of `capacity` bytes on one thread, the way
    /// the simulator maps operations (requests get, then set on a miss; stores set;
    /// invalidations remove; restarts keep the cache), and returns its hits.
    private func cacheHits(_ stream: OperationStream, capacity: Int, shards: Int, seed: UInt64) -> Int {
        var options = CacheOptions()
        options.cacheLocalMB = Double(capacity) / 1_000_000
        options.shardCount = shards
        options.seed = seed
        let cache = SharedStateCache(options: options)
        XCTAssertEqual(options.capacityBytes, capacity)
        let keys = stream.operationKeys()
        var hits = 0
        for index in 0 ..< stream.count {
            let key = CacheKey(oid: ObjectID(keys[index]), tid: .zero)
            let state = ObjectState(state: [UInt8](repeating: 7, count: Int(stream.sizes[index])), tid: .zero)
            switch stream.kinds[index] {
            case OperationStream.Kind.request.rawValue:
                if cache.get(key) != nil { hits += 1 } else { cache.set(key, state) }
            case OperationStream.Kind.store.rawValue:
                cache.set(key, state)
            case OperationStream.Kind.invalidate.rawValue:
                cache.remove(key)
            default:
                break
            }
        }
        cache.checkInvariants()
        XCTAssertEqual(cache.statistics.hits, hits)
        return hits
    }

    /// The simulator splits keys, budgets and seeds exactly as the cache does: on zeo-app's
    /// trace (loads, stores, invalidations, restarts) the two score the same hits at 1, 8 and
    /// 64 shards — and the counts differ, so the shards are really simulated.
    func testAShardedSimulationScoresWhatTheShardedCacheScores() throws {
        let (stream, _, _) = try OperationStream.decode(path: Fixtures.trace("zeo-app.trace"))
        XCTAssertFalse(stream.sizes.contains { Int($0) >= SimulationCapacity.objectMax }, "every state is cacheable")
        let capacity = 400_000
        var settings = SimulationSettings()
        var hitsByShards: [Int: Int] = [:]
        for shards in [1, 8, 64] {
            settings.shards = .count(shards)
            let simulated = WindowTinyLFUSimulator.simulate(stream, capacity: .bytes(capacity), settings: settings).hits
            XCTAssertEqual(simulated, cacheHits(stream, capacity: capacity, shards: shards, seed: settings.seed), "\(shards) shards")
            hitsByShards[shards] = simulated
        }
        XCTAssertEqual(Set(hitsByShards.values).count, 3, "\(hitsByShards)")
    }

    /// Sizes where one policy never evicts are not free for a sharded one (a shard's slice of
    /// the objects can outgrow its share): the sweep runs W-TinyLFU there, while LRU and OPT
    /// still take the never-evicting pass; every figure equals its simulation run alone.
    func testTheSweepSimulatesShardsWhereOnePolicyWouldNeverEvict() throws {
        let (stream, _, _) = try OperationStream.decode(path: Fixtures.trace("zeo-app.trace"))
        var settings = SimulationSettings()
        settings.shards = .count(64)
        let peak = UnboundedCacheSimulator.peakWeight(stream, unit: .megabytes(1), settings: settings)
        let capacities: [SimulationCapacity] = [.bytes(peak / 2), .bytes(peak)]
        let swept = SimulationSweep.run(stream, policies: [.lru, .wtinylfu, .opt], capacities: capacities, settings: settings)
        for result in swept {
            XCTAssertEqual(result, SimulationSweep.simulate(result.policy, stream, capacity: result.capacity, settings: settings))
        }
        let unbounded = UnboundedCacheSimulator.simulate(stream, capacity: .bytes(peak), settings: settings).hits
        let atPeak = swept.filter { $0.capacity == .bytes(peak) }
        XCTAssertEqual(atPeak.filter { $0.policy != .wtinylfu }.map(\.hits), [unbounded, unbounded])
        XCTAssertLessThan(atPeak.first { $0.policy == .wtinylfu }!.hits, unbounded, "64 shards of the peak evict")
    }

    /// `auto` takes the cache's count at each size; entry bounds, which the cache never has,
    /// get one policy; `--shards` reads powers of two and `auto` only.
    func testAutomaticShardsFollowTheCachesCount() {
        XCTAssertEqual(SimulationShards.automatic.layout(for: .megabytes(20)), ShardLayout.automatic(capacity: 20_000_000))
        XCTAssertEqual(SimulationShards.automatic.layout(for: .megabytes(0.3)).count, 1)
        XCTAssertEqual(SimulationShards.automatic.layout(for: .entries(1_000_000)).count, 1)
        XCTAssertEqual(SimulationShards.count(16).layout(for: .entries(10)).count, 16)
        XCTAssertEqual(SimulationShards.parse("auto"), .automatic)
        XCTAssertEqual(SimulationShards.parse("AUTO"), .automatic)
        XCTAssertEqual(SimulationShards.parse("256"), .count(256))
        XCTAssertEqual(SimulationShards.parse("1"), .count(1))
        for bad in ["0", "3", "-4", "131072", "", "x", "1.0"] { XCTAssertNil(SimulationShards.parse(bad), bad) }
        XCTAssertEqual(SimulationShards.count(32).name, "32")
        XCTAssertEqual(SimulationShards.automatic.name, "auto")
    }
}
