import Foundation
import XCTest
@testable import CacheCore

/// The regression test of issue 16's wrong bytes and crashes: readers look up a small hot set
/// while writers keep replacing its entries with new versions, so that every replacement frees
/// a payload a reader may have just found. Each state names its key, writer and version and
/// carries a checksum (``VersionedState``), so a payload read after it was freed — and
/// reused for another state — fails, and under AddressSanitizer the read itself is reported.
///
/// Before the shard lock's entry and exit became opaque C calls, a release build let a
/// reader's retain of the payload sink below the store that let writers in; this test then
/// crashed or reported foreign bytes (`make test-asan`, release configuration). In a debug
/// build it passes either way: run it in release (`make test-asan`, `make test-tsan`).
final class SharedStateCacheContentStressTests: XCTestCase {
    #if DEBUG
    static let readsPerThread = 20_000
    #else
    static let readsPerThread = 600_000
    #endif

    /// The key of hot or cold object `index`.
    static func key(_ index: UInt64) -> CacheKey { CacheKey(oid: ObjectID(index), tid: TransactionID(7)) }

    func hammer(shards: Int, compression: StateCompression, hotKeys: Int) {
        let cache = SharedStateCache.forTesting(megabytes: 0.4, shards: shards, compression: compression, seed: 29)
        let problems = Locked<[String]>([])
        let readersDone = Locked(0)
        let writersDone = Locked(0)
        let readers = 2, writers = 2

        for index in 0 ..< UInt64(hotKeys) {
            cache.set(Self.key(index), ObjectState(state: VersionedState.make(
                key: Self.key(index), actualTID: TransactionID(1), version: 0, size: 100), tid: TransactionID(1)))
        }
        // Threads of their own, all at once (concurrentPerform would run only as many as there
        // are cores, and the readers could finish before a writer started).
        let group = DispatchGroup()
        for thread in 0 ..< readers + writers {
            group.enter()
            Thread.detachNewThread {
                defer { group.leave() }
                Self.run(thread: thread, readers: readers, cache: cache, hotKeys: hotKeys,
                         problems: problems, readersDone: readersDone, writersDone: writersDone)
            }
        }
        group.wait()
        XCTAssertEqual(problems.withLock { $0 }, [])
        XCTAssertEqual(writersDone.withLock { $0 }, writers)
        let statistics = cache.statistics
        XCTAssertLessThanOrEqual(statistics.bytes, statistics.capacityBytes)
        cache.checkInvariants()
    }

    /// One reader (`thread < readers`) or writer of ``hammer(shards:compression:hotKeys:)``.
    static func run(thread: Int, readers: Int, cache: SharedStateCache, hotKeys: Int, problems: Locked<[String]>,
                    readersDone: Locked<Int>, writersDone: Locked<Int>) {
        let key = Self.key
        var generator = SplitMix64(seed: UInt64(thread) &+ 1000)
        var found = 0
        if thread >= readers {
            // A writer: new versions of the hot keys, of changing sizes, and now and then a
            // burst of cold keys that makes the shards evict.
            var version = UInt64(thread) << 48
            while version & 63 != 0 || readersDone.withLock({ $0 }) < readers {
                version += 1
                let index = generator.next() % UInt64(hotKeys)
                let writer = TransactionID(version)
                let size = VersionedState.minimumSize + Int(generator.next() % 900)
                cache.set(key(index), ObjectState(state: VersionedState.make(
                    key: key(index), actualTID: writer, version: version, size: size), tid: writer))
                if generator.next() % 64 == 0 {
                    let cold = (0 ..< 16).map { _ in key(UInt64(hotKeys) + generator.next() % 20_000) }
                    _ = cache.set(many: cold.map { ($0, ObjectState(state: VersionedState.make(
                        key: $0, actualTID: TransactionID(version), version: version, size: 600), tid: TransactionID(version))) })
                }
                if generator.next() % 4096 == 0 { cache.remove(key(index)) }
            }
            writersDone.withLock { $0 += 1 }
            return
        }
        // A reader: single lookups, lookups with a fallback, and batches.
        for step in 0 ..< Self.readsPerThread {
            let primary = key(generator.next() % UInt64(hotKeys))
            var results: [(CacheKey, ObjectState)] = []
            switch step % 16 {
            case 0:
                let keys = (0 ..< 4).map { _ in key(generator.next() % UInt64(hotKeys)) }
                for (k, hit) in zip(keys, cache.get(many: keys.map { CacheLookup($0) })) { if let hit { results.append((k, hit.value)) } }
            case 1:
                let fallback = CacheKey(oid: primary.oid, tid: TransactionID(primary.tid.rawValue &+ 1))  // another revision
                if let hit = cache.get(CacheLookup(primary, orElse: fallback)) { results.append((hit.fromFallback ? fallback : primary, hit.value)) }
            default:
                if let state = cache.get(primary) { results.append((primary, state)) }
            }
            for (k, state) in results {
                found += 1
                if let problem = VersionedState.verify(state.state, key: k, actualTID: state.tid) {
                    problems.withLock { $0.append(problem) }
                }
            }
        }
        readersDone.withLock { $0 += 1 }
        if found < Self.readsPerThread / 4 { problems.withLock { $0.append("reader \(thread): only \(found) hits") } }
    }

    /// Many shards, raw payloads: a hit hands out the stored buffer itself.
    func testReadersNeverSeeAFreedOrForeignStateWithManyShards() {
        hammer(shards: 8, compression: .none, hotKeys: 64)
    }

    /// One shard: every reader and writer meets on the same lock.
    func testReadersNeverSeeAFreedOrForeignStateInOneShard() {
        hammer(shards: 1, compression: .none, hotKeys: 32)
    }

    /// Compressed payloads: the reader decodes the buffer it found after leaving the lock.
    func testReadersNeverSeeAFreedOrForeignCompressedState() {
        hammer(shards: 4, compression: .lz4, hotKeys: 48)
    }
}
