import Foundation
import XCTest
@testable import CacheCore

/// Many threads on one cache: every hit returns an intact state of that key as its writer
/// stored it (each set writes a new version, ``VersionedState``), the bound holds, and the
/// structure stays consistent. Runs under `make test-tsan`, in debug and release.
final class SharedStateCacheConcurrencyTests: XCTestCase {
    func stress(shards: Int?, compression: StateCompression, threads: Int = 4, operations: Int = 20_000) {
        let cache = SharedStateCache.forTesting(megabytes: 0.3, shards: shards, compression: compression, seed: 17)
        let errors = Locked<[String]>([])
        DispatchQueue.concurrentPerform(iterations: threads) { thread in
            var generator = SplitMix64(seed: UInt64(thread) + 100)
            var version = UInt64(thread) << 48
            func check(_ found: ObjectState, _ key: CacheKey, _ operation: String) {
                if let problem = VersionedState.verify(found.state, key: key, actualTID: found.tid) {
                    errors.withLock { $0.append("\(operation): \(problem)") }
                }
            }
            func newState(_ key: CacheKey) -> ObjectState {
                version += 1
                let writer = TransactionID(key.tid.rawValue << 32 | version & 0xFFFF_FFFF)
                return ObjectState(state: VersionedState.make(
                    key: key, actualTID: writer, version: version, size: Int(key.oid.rawValue % 700)), tid: writer)
            }
            for _ in 0..<operations {
                let key = CacheKey(oid: ObjectID(generator.next() % 3000), tid: TransactionID(generator.next() % 3))
                switch generator.next() % 20 {
                case 0..<12:
                    if let found = cache.get(key) {
                        check(found, key, "get")
                    } else {
                        cache.set(key, newState(key))
                    }
                case 12..<16:
                    let keys = (0..<8).map { _ in CacheKey(oid: ObjectID(generator.next() % 3000), tid: key.tid) }
                    for (k, found) in zip(keys, cache.get(many: keys.map { CacheLookup($0) })) {
                        if let found { check(found.value, k, "get(many:)") }
                    }
                case 16, 17:
                    _ = cache.set(many: [(key, newState(key))])
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
