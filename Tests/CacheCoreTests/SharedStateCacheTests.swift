import Workload
import Foundation
import XCTest
@testable import CacheCore

final class SharedStateCacheTests: XCTestCase {
    func key(_ i: Int, _ tid: UInt64 = 1) -> CacheKey { CacheKey(oid: ObjectID(UInt64(i)), tid: TransactionID(tid)) }

    func cache(mb: Double = 1, compression: StateCompression = .none, shards: Int? = nil) -> SharedStateCache {
        SharedStateCache.forTesting(megabytes: mb, shards: shards, compression: compression, seed: 42)
    }

    func testStoresAndReturnsStates() {
        let c = cache()
        XCTAssertTrue(c.set(key(1), ObjectState(state: [1, 2, 3], tid: TransactionID(7))))
        XCTAssertEqual(c.get(key(1)), ObjectState(state: [1, 2, 3], tid: TransactionID(7)))
        XCTAssertNil(c.get(key(1, 2)), "another TID is another key")
        let stats = c.statistics
        XCTAssertEqual(stats.hits, 1)
        XCTAssertEqual(stats.misses, 1)
        XCTAssertEqual(stats.sets, 1)
        XCTAssertEqual(stats.entries, 1)
        XCTAssertEqual(stats.bytes, 3 + CacheOptions.entryOverhead)
        XCTAssertEqual(stats.capacityBytes, 1_000_000)
    }

    func testContainsIsNotAHit() {
        let c = cache()
        c.set(key(1), ObjectState(state: [1], tid: .zero))
        XCTAssertTrue(c.contains(key(1)))
        XCTAssertFalse(c.contains(key(2)))
        XCTAssertEqual(c.statistics.hits, 0)
        XCTAssertEqual(c.statistics.misses, 0)
    }

    func testRefusesStatesOfObjectMaxOrMore() {
        let c = cache()
        XCTAssertTrue(c.set(key(1), ObjectState(state: [UInt8](repeating: 1, count: 16_383), tid: .zero)))
        XCTAssertTrue(c.contains(key(1)))
        XCTAssertFalse(c.set(key(2), ObjectState(state: [UInt8](repeating: 1, count: 16_384), tid: .zero)))
        XCTAssertFalse(c.contains(key(2)))
        XCTAssertEqual(c.statistics.refused, 1)
        // A refused replacement takes the old entry out: the caller meant to replace it.
        XCTAssertFalse(c.set(key(1), ObjectState(state: [UInt8](repeating: 2, count: 16_384), tid: .zero)))
        XCTAssertFalse(c.contains(key(1)))
        XCTAssertTrue(c.set(key(3), ObjectState(state: [1], tid: .zero)))
        XCTAssertEqual(c.set(many: [(key(3), ObjectState(state: [UInt8](repeating: 3, count: 16_384), tid: .zero))]), 0)
        XCTAssertFalse(c.contains(key(3)), "set(many:) refuses the same way")
    }

    func testTheObjectMaxAppliesAfterCompression() {
        let c = cache(compression: .zlib)
        let compressible = [UInt8](repeating: 7, count: 100_000)
        XCTAssertTrue(c.set(key(1), ObjectState(state: compressible, tid: .zero)))
        XCTAssertEqual(c.get(key(1))?.state, compressible)
        XCTAssertLessThan(c.statistics.bytes, 16_384 + CacheOptions.entryOverhead)
    }

    func testZeroMegabytesDisablesTheCache() {
        let c = cache(mb: 0)
        XCTAssertFalse(c.isEnabled)
        XCTAssertFalse(c.set(key(1), ObjectState(state: [1], tid: .zero)))
        XCTAssertNil(c.get(key(1)))
        XCTAssertEqual(c.get(many: [CacheLookup(key(1)), CacheLookup(key(2))]), [nil, nil])
        XCTAssertEqual(c.set(many: [(key(1), ObjectState(state: [1], tid: .zero))]), 0)
        XCTAssertEqual(c.statistics.entries, 0)
    }

    func testNeverExceedsTheByteBound() {
        let c = cache(mb: 0.5, shards: 4)
        var generator = SplitMix64(seed: 5)
        for i in 0..<5000 {
            let size = Int(generator.next() % 2000)
            c.set(key(i), ObjectState(state: [UInt8](repeating: UInt8(i & 0xFF), count: size), tid: .zero))
            XCTAssertLessThanOrEqual(c.statistics.bytes, 500_000)
        }
        c.checkInvariants()
        XCTAssertGreaterThan(c.statistics.evictions, 0)
    }

    func testGetManyAndSetManyMatchSingleOperations() {
        let c = cache(shards: 8)
        let entries = (0..<100).map { (key: key($0), value: ObjectState(state: [UInt8($0)], tid: TransactionID(UInt64($0)))) }
        XCTAssertEqual(c.set(many: entries), 100)
        let keys = (0..<120).map { key($0) }
        let found = c.get(many: keys.map { CacheLookup($0) }).map { $0?.value }
        for i in 0..<120 {
            XCTAssertEqual(found[i], i < 100 ? ObjectState(state: [UInt8(i)], tid: TransactionID(UInt64(i))) : nil)
        }
        XCTAssertEqual(c.statistics.hits, 100)
        XCTAssertEqual(c.statistics.misses, 20)
    }

    func testRemoveAndRemoveAll() {
        let c = cache(shards: 4)
        for i in 0..<50 { c.set(key(i), ObjectState(state: [1], tid: .zero)) }
        XCTAssertTrue(c.remove(key(3)))
        XCTAssertFalse(c.contains(key(3)))
        c.removeAll()
        XCTAssertEqual(c.statistics.entries, 0)
        XCTAssertNil(c.get(key(4)))
        c.checkInvariants()
    }

    func testTheCacheUsesTheAutomaticLayoutUnlessToldACount() {
        XCTAssertEqual(cache(mb: 100).shardCount, 256)
        XCTAssertEqual(cache(mb: 100).layout, ShardLayout.automatic(capacity: 100_000_000))
        XCTAssertEqual(cache(mb: 0.2).shardCount, 1)
        var options = CacheOptions()
        options.shardCount = 4
        XCTAssertEqual(SharedStateCache(options: options).layout, ShardLayout(count: 4))
    }

    func testRegionStatisticsAddUp() {
        let c = cache(mb: 0.2)
        for round in 0..<3 { for i in 0..<600 { if c.get(key(i)) == nil { c.set(key(i), ObjectState(state: [UInt8](repeating: 0, count: 200 + round), tid: .zero)) } } }
        let s = c.statistics
        XCTAssertEqual(s.window.entries + s.probation.entries + s.protected.entries, s.entries)
        XCTAssertEqual(s.window.bytes + s.probation.bytes + s.protected.bytes, s.bytes)
        XCTAssertGreaterThan(s.protected.entries, 0)
        XCTAssertGreaterThan(s.windowShare, 0)
        XCTAssertLessThan(s.windowShare, 1)
    }

    /// The per-entry overhead constant must describe real memory: within 20% of a measurement.
    func testEntryOverheadConstantMatchesAMeasurement() throws {
        // The index and the node array grow by doubling, so one measurement depends on where
        // they are in their growth: average over sizes spread across a doubling.
        let sizes = [50_000, 70_000, 100_000]
        // AddressSanitizer and ThreadSanitizer replace malloc with allocators that `mallinfo2`
        // does not see.
        for (symbol, sanitizer) in [("__asan_init", "AddressSanitizer"), ("__tsan_init", "ThreadSanitizer")]
        where dlsym(UnsafeMutableRawPointer(bitPattern: 0), symbol) != nil {
            throw XCTSkip("\(sanitizer)'s allocator: mallinfo2 does not report its heap")
        }
        var total = 0.0
        for size in sizes {
            guard let measured = EntryOverheadProbe.measure(entries: size) else {
                throw XCTSkip("this C library does not report heap use")
            }
            total += measured
        }
        let measured = total / Double(sizes.count)
        if ProcessInfo.processInfo.environment["STATECACHE_PRINT_OVERHEAD"] != nil {
            for size in [50_000, 70_000, 100_000, 140_000, 200_000, 260_000] {
                print("overhead at \(size): \(EntryOverheadProbe.measure(entries: size) ?? 0)")
            }
        }
        let constant = Double(CacheOptions.entryOverhead)
        XCTAssertGreaterThan(measured, constant * 0.8, "measured \(measured) B per entry")
        XCTAssertLessThan(measured, constant * 1.2, "measured \(measured) B per entry")
    }
}

extension SharedStateCacheTests {
    func testPrimaryOrFallbackCountsOneRequest() {
        let c = cache(shards: 4)
        c.set(key(1, 40), ObjectState(state: [4], tid: TransactionID(35)))
        let viaFallback = c.get(CacheLookup(key(1, 50), orElse: key(1, 40)))
        XCTAssertEqual(viaFallback?.value.state, [4])
        XCTAssertEqual(viaFallback?.fromFallback, true)
        c.set(key(1, 50), viaFallback!.value)
        XCTAssertEqual(c.get(CacheLookup(key(1, 50), orElse: key(1, 40)))?.fromFallback, false)
        XCTAssertNil(c.get(CacheLookup(key(2, 50), orElse: key(2, 40))))
        XCTAssertNil(c.get(CacheLookup(key(3, 50))))
        let stats = c.statistics
        XCTAssertEqual(stats.hits, 2)
        XCTAssertEqual(stats.misses, 2, "a request that misses both keys is one miss")
    }

    /// The policy counts and samples objects, not revisions: a running cache files states under
    /// checkpoint TIDs that are clock times, different in every run, and the same loads filed
    /// under other TIDs must give the same hits (what `cache-simul` predicts from a trace, whose
    /// keys are bare object ids; `statecache bench fidelity`).
    func testHitsDoNotDependOnTheCheckpointTIDs() {
        func hits(checkpointsFrom first: UInt64) -> Int {
            let cache = SharedStateCache.forTesting(megabytes: 0.25, shards: 1, compression: .none, seed: 3)
            var random = SplitMix64(seed: 8)
            var checkpoint = first
            var hits = 0
            for request in 0..<120_000 {
                // A checkpoint shift every 30,000 loads re-files the states under a new TID.
                if request % 30_000 == 0 { checkpoint += 1_000_003 }
                let draw = random.next()
                // A hot set of 300 objects (half the loads) among 20,000, loops over 900 of them.
                let oid = draw % 2 == 0 ? draw >> 8 % 300 : (draw % 4 == 1 ? UInt64(request % 900) : 300 + draw >> 8 % 20_000)
                let key = CacheKey(oid: ObjectID(oid), tid: TransactionID(checkpoint))
                if cache.get(key) != nil {
                    hits += 1
                } else {
                    cache.set(key, ObjectState(state: [UInt8](repeating: UInt8(truncatingIfNeeded: oid), count: 100 + Int(oid % 400)),
                                               tid: TransactionID(checkpoint)))
                }
            }
            cache.checkInvariants()
            return hits
        }
        let hitsInOneRun = hits(checkpointsFrom: 1 << 40)
        XCTAssertGreaterThan(hitsInOneRun, 20_000, "the workload hits")
        XCTAssertEqual(hits(checkpointsFrom: (1 << 40) + 987_654_321), hitsInOneRun)
        XCTAssertEqual(hits(checkpointsFrom: 3 << 41), hitsInOneRun)
        XCTAssertEqual(CacheKey(oid: ObjectID(42), tid: TransactionID(1)).sketchHashCode,
                       CacheKey(oid: ObjectID(42), tid: TransactionID(1 << 50)).sketchHashCode, "one count per object")
    }
}
