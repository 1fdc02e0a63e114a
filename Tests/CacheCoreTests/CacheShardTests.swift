import Workload
import XCTest
@testable import CacheCore

/// The shard's access log: lookups log their hits per thread and the policy applies them
/// later. These tests pin what users rely on: one thread sees exactly the unlogged policy,
/// every hit is counted, and a logged hit on an entry evicted meanwhile is harmless.
final class CacheShardTests: XCTestCase {
    func key(_ i: Int) -> CacheKey { CacheKey(oid: ObjectID(UInt64(i)), tid: TransactionID(1)) }

    func configuration(_ maximumWeight: Int) -> WindowTinyLFU.Configuration {
        WindowTinyLFU.Configuration(maximumWeight: maximumWeight, seed: 99)
    }

    /// One thread: a shard (logging, applying before sets) and a bare policy given the same
    /// Zipf-like sequence end in the same state — same counters, same regions, same order.
    func testOneThreadSeesExactlyTheUnloggedPolicy() {
        var shard = CacheShard(policy: WindowTinyLFU(configuration: configuration(40_000)))
        var bare = WindowTinyLFU(configuration: configuration(40_000))
        var generator = SplitMix64(seed: 5)
        var firstDifference: Int?
        let zipf = ZipfDistribution(count: 3000, exponent: 0.9)
        for step in 0 ..< 60_000 {
            let k = key(zipf.next(using: &generator))
            let weight = 50 + Int(generator.next() % 200)
            let shardValue = shard.lookUp(CacheLookup(k), stripe: 3)?.value
            let bareValue = bare.get(k)
            if shardValue?.tid != bareValue?.tid && firstDifference == nil { firstDifference = step }
            if shardValue == nil {
                _ = shard.set(k, ObjectState(state: [], tid: TransactionID(UInt64(step))), weight: weight, stripe: 3)
                bare.set(k, ObjectState(state: [], tid: TransactionID(UInt64(step))), weight: weight)
            }
            if step % 7_919 == 0 {
                XCTAssertEqual(shard.remove(k, stripe: 3), bare.remove(k))
            }
        }
        XCTAssertNil(firstDifference, "the shard answered differently from step \(firstDifference ?? -1)")
        shard.applyAll()
        shard.checkInvariants()
        XCTAssertEqual(shard.policy.counters, bare.counters)
        XCTAssertEqual(shard.policy.windowMaximum, bare.windowMaximum)
        var shardOrder: [CacheKey] = [], bareOrder: [CacheKey] = []
        shard.policy.forEachPersistedEntry { entry, _ in shardOrder.append(entry.key) }
        bare.forEachPersistedEntry { entry, _ in bareOrder.append(entry.key) }
        XCTAssertEqual(shardOrder, bareOrder)
    }

    /// Hits sit in the log until a stripe fills or someone needs the counts; none is lost.
    func testLoggedHitsAreAllCounted() {
        var shard = CacheShard(policy: WindowTinyLFU(configuration: configuration(100_000)))
        for i in 0 ..< 10 { _ = shard.set(key(i), ObjectState(state: [1], tid: .zero), weight: 10, stripe: 0) }
        for round in 0 ..< 100 {
            XCTAssertNotNil(shard.lookUp(CacheLookup(key(round % 10)), stripe: round % ThreadStripe.count))
        }
        XCTAssertNil(shard.lookUp(CacheLookup(key(99)), stripe: 1))
        XCTAssertLessThan(shard.policy.counters.hits, 100, "some hits are still only logged")
        shard.applyAll()
        XCTAssertEqual(shard.policy.counters.hits, 100)
        XCTAssertEqual(shard.policy.counters.misses, 1)
        shard.checkInvariants()
    }

    /// Thread A logs hits; thread B removes those entries and reuses some of their slots
    /// before A's stripe is applied. The hits still count; nothing breaks.
    func testHitsLoggedBeforeTheirEntriesLeaveAreHarmless() {
        var shard = CacheShard(policy: WindowTinyLFU(configuration: configuration(10_000)))
        for i in 0 ..< 10 { _ = shard.set(key(i), ObjectState(state: [], tid: .zero), weight: 100, stripe: 1) }
        for i in 0 ..< 10 { XCTAssertNotNil(shard.lookUp(CacheLookup(key(i)), stripe: 0)) }
        for i in 0 ..< 5 { XCTAssertTrue(shard.remove(key(i), stripe: 1)) }
        for i in 100 ..< 103 { _ = shard.set(key(i), ObjectState(state: [], tid: .zero), weight: 100, stripe: 1) }
        XCTAssertEqual(shard.policy.count, 8, "three freed slots reused, two still free")
        shard.applyAll()
        shard.checkInvariants()
        XCTAssertEqual(shard.policy.counters.hits, 10)
    }

    /// `removeAll` empties the log with the policy, counting the lookups it held: each was
    /// answered, so the statistics keep it (a clear once dropped them uncounted).
    func testRemoveAllCountsAndForgetsTheLog() {
        var shard = CacheShard(policy: WindowTinyLFU(configuration: configuration(10_000)))
        for i in 0 ..< 20 { _ = shard.set(key(i), ObjectState(state: [], tid: .zero), weight: 100, stripe: 2) }
        for i in 0 ..< 20 { _ = shard.lookUp(CacheLookup(key(i)), stripe: 5) }
        _ = shard.lookUp(CacheLookup(key(99)), stripe: 5)
        shard.removeAll()
        XCTAssertEqual(shard.policy.counters.hits, 20)
        XCTAssertEqual(shard.policy.counters.misses, 1)
        shard.applyAll()
        shard.checkInvariants()
        XCTAssertEqual(shard.policy.count, 0)
        XCTAssertEqual(shard.policy.counters.hits, 20, "nothing left to apply twice")
    }

    /// Threads get distinct stripes (up to ``ThreadStripe/count``), and keep theirs.
    func testThreadsGetTheirOwnStripes() {
        let seen = Locked<[Int]>([])
        let threads = (0 ..< 4).map { _ in
            Thread {
                let first = ThreadStripe.current
                XCTAssertEqual(ThreadStripe.current, first)
                seen.withLock { $0.append(first) }
            }
        }
        threads.forEach { $0.start() }
        while seen.withLock({ $0.count }) < 4 { usleep(1000) }
        let stripes = seen.withLock { $0 }
        XCTAssertEqual(Set(stripes).count, 4, "\(stripes)")
        XCTAssertTrue(stripes.allSatisfy { (0 ..< ThreadStripe.count).contains($0) })
    }

    /// A stripe left full (its thread could not apply it: another writer held the shard)
    /// counts the accesses that follow without logging them: none is lost from the
    /// statistics, the invariants hold meanwhile, and the next pass applies all of it.
    func testAFullStripeCountsWhatItCannotLog() {
        var shard = CacheShard(policy: WindowTinyLFU(configuration: configuration(100_000)))
        for i in 0 ..< 10 { _ = shard.set(key(i), ObjectState(state: [1], tid: .zero), weight: 10, stripe: 0) }
        let lookups = CacheShard.stripeCapacity + 40
        var reportedFull = 0
        for round in 0 ..< lookups {
            // The shared half only, as a lookup whose try of exclusive access failed.
            let found = shard.sharedLookUp(CacheLookup(key(round % 11)), stripe: 4)
            XCTAssertEqual(found.hit != nil, round % 11 != 10)
            if found.logIsFull { reportedFull += 1 }
        }
        XCTAssertEqual(reportedFull, lookups - CacheShard.stripeCapacity + 1, "full from the last logged access on")
        shard.checkInvariants()
        XCTAssertEqual(shard.policy.counters.hits + shard.policy.counters.misses, 0, "nothing applied yet")
        shard.applyAll()
        shard.checkInvariants()
        let misses = (0 ..< lookups).filter { $0 % 11 == 10 }.count
        XCTAssertEqual(shard.policy.counters.hits, lookups - misses)
        XCTAssertEqual(shard.policy.counters.misses, misses)
        XCTAssertFalse(shard.sharedLookUp(CacheLookup(key(1)), stripe: 4).logIsFull, "the stripe is empty again")
    }
}
