import Foundation
import XCTest
@testable import CacheCore

/// Many threads on one cache: every hit returns the exact value stored under that key, the
/// bound holds, and the structure stays consistent. Runs under `make test-tsan`.
final class SharedStateCacheConcurrencyTests: XCTestCase {
    /// Each key's state is derived from the key, so any mix-up between entries is detectable.
    static func state(for key: CacheKey, size: Int) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: size)
        var x = key.oid.rawValue &* 31 &+ key.tid.rawValue
        for i in bytes.indices { x = x &* 6364136223846793005 &+ 1442695040888963407; bytes[i] = UInt8(truncatingIfNeeded: x >> 56) }
        return bytes
    }

    func stress(shards: Int?, compression: StateCompression, threads: Int = 4, operations: Int = 20_000) {
        var options = CacheOptions()
        options.cacheLocalMB = 0.3
        options.shardCount = shards
        options.compression = compression
        options.seed = 17
        let cache = SharedStateCache(options: options)
        let errors = Locked<[String]>([])
        DispatchQueue.concurrentPerform(iterations: threads) { thread in
            var generator = SplitMix64(seed: UInt64(thread) + 100)
            for _ in 0..<operations {
                let key = CacheKey(oid: ObjectID(generator.next() % 3000), tid: TransactionID(generator.next() % 3))
                let size = Int(key.oid.rawValue % 700)
                switch generator.next() % 20 {
                case 0..<12:
                    if let found = cache.get(key) {
                        if found.state != Self.state(for: key, size: size) || found.actualTID != key.tid {
                            errors.withLock { $0.append("wrong state for \(key)") }
                        }
                    } else {
                        cache.set(key, CachedState(actualTID: key.tid, state: Self.state(for: key, size: size)))
                    }
                case 12..<16:
                    let keys = (0..<8).map { _ in CacheKey(oid: ObjectID(generator.next() % 3000), tid: key.tid) }
                    for (k, found) in zip(keys, cache.get(many: keys)) {
                        if let found, found.state != Self.state(for: k, size: Int(k.oid.rawValue % 700)) {
                            errors.withLock { $0.append("wrong state for \(k) in get(many:)") }
                        }
                    }
                case 16, 17:
                    _ = cache.set(many: [(key, CachedState(actualTID: key.tid, state: Self.state(for: key, size: size)))])
                case 18: _ = cache.contains(key)
                default:
                    if generator.next() % 50 == 0 { cache.removeAll() } else { cache.remove(key) }
                }
            }
        }
        XCTAssertEqual(errors.withLock { $0 }, [])
        let stats = cache.statistics
        XCTAssertLessThanOrEqual(stats.bytes, stats.capacityBytes)
        XCTAssertGreaterThan(stats.hits, 0)
        cache.checkInvariants()
    }

    func testStressEightShardsUncompressed() { stress(shards: 8, compression: .none) }
    func testStressSingleShardLZ4() { stress(shards: 1, compression: .lz4) }
    func testStressFourShardsZlib() { stress(shards: 4, compression: .zlib, operations: 10_000) }
}
