import XCTest
@testable import CacheCore

/// The sampled LRU shadow counts exactly what LRU hits, and the `shadowGuided` window follows it.
final class LRUShadowTests: XCTestCase {
    /// Unsampled (a small cache): the shadow's hits are a reference LRU's, request for request,
    /// with removals and weights.
    func testTheShadowHitsWhatLRUHits() {
        var shadow = LRUShadow(maximumWeight: 50, expectedEntries: 50)
        XCTAssertEqual(shadow.sampling, 1)
        var reference = WindowAdaptationTests.ReferenceLRU(capacity: 50)
        var generator = SplitMix64(seed: 9)
        for step in 0..<20_000 {
            let key = Int(generator.next() % 120)
            if step % 97 == 0 {
                shadow.remove(UInt32(key))
                if let stamp = reference.stamp.removeValue(forKey: key) { reference.order[stamp] = nil }
                continue
            }
            reference.access(key)
            shadow.request(UInt32(key), weight: 1, policyHit: false)
            if step % 1000 == 0 { shadow.checkInvariants() }
        }
        shadow.checkInvariants()
        XCTAssertEqual(shadow.shadowHits, reference.hits)
        XCTAssertGreaterThan(shadow.shadowHits, 1000)

        var weighted = LRUShadow(maximumWeight: 10, expectedEntries: 10)
        weighted.request(1, weight: 6, policyHit: false)
        weighted.request(2, weight: 6, policyHit: false)  // pushes 1 out
        weighted.request(1, weight: 6, policyHit: true)
        XCTAssertEqual(weighted.shadowHits, 0)
        XCTAssertEqual(weighted.policyHits, 1)
        weighted.request(3, weight: 11, policyHit: false)  // heavier than the shadow: not kept
        weighted.request(1, weight: 6, policyHit: false)
        XCTAssertEqual(weighted.shadowHits, 1)
        weighted.checkInvariants()
    }

    /// Large caches replay a fixed sample of about 1 key in 2ⁿ, keeping the shadow near 512 entries.
    func testLargeCachesSampleTheirKeys() {
        let shadow = LRUShadow(maximumWeight: 64_000, expectedEntries: 64_000)
        XCTAssertEqual(shadow.sampling, 64)
        XCTAssertEqual(shadow.maximumWeight, 1_000)
        let sampled = (0..<UInt32(100_000)).filter { shadow.isSampled($0) }.count
        XCTAssertEqual(Double(sampled) / 100_000, 1.0 / 64, accuracy: 0.004)
    }

    /// On a pure-recency trace the shadow-guided window becomes the LRU cache the trace wants —
    /// over the whole trace, where the guarded climber is still far behind — and it takes
    /// probation's budget to get there.
    func testShadowGuidedFollowsLRUOnARecencyTrace() {
        let tests = WindowAdaptationTests.self
        let capacity = 1000
        let trace = tests.recencyTrace(capacity: capacity, length: 300_000, seed: 3)
        var lru = WindowAdaptationTests.ReferenceLRU(capacity: capacity)
        for key in trace { lru.access(key) }
        func wholeTrace(_ adaptation: WindowAdaptation) -> (Double, WindowTinyLFU) {
            tests.wholeTraceHitRate(trace, capacity: capacity, adaptation)
        }
        let lruRate = Double(lru.hits) / Double(trace.count)
        let (guarded, _) = wholeTrace(.guardedHillClimbing)
        let (shadowed, policy) = wholeTrace(.shadowGuided)
        XCTAssertLessThan(guarded, lruRate - 0.05, "the guarded climber alone is slow here")
        XCTAssertGreaterThan(shadowed, guarded + 0.03)
        XCTAssertGreaterThan(shadowed, lruRate - 0.04, "shadow-guided \(shadowed) vs LRU \(lruRate)")
        XCTAssertGreaterThan(policy.windowMaximum + policy.protectedMaximum, capacity * 99 / 100 - 1)
        XCTAssertGreaterThan(policy.windowMaximum, capacity * 81 / 100, "the window took probation's budget too")
    }

    /// On a loop a little larger than the cache — frequency keeps a part, LRU nothing — the
    /// shadow never pulls the window open: the shadow-guided policy does what the guarded one does.
    func testShadowGuidedLeavesFrequencyWorkloadsAlone() {
        let tests = WindowAdaptationTests.self
        var loop: [Int] = []
        for _ in 0..<100 { loop += (0..<1500) }
        var guarded = WindowTinyLFU(configuration: tests.config(1000, .guardedHillClimbing))
        var shadowed = WindowTinyLFU(configuration: tests.config(1000, .shadowGuided))
        let guardedRate = tests.run(loop, &guarded), shadowedRate = tests.run(loop, &shadowed)
        XCTAssertGreaterThan(shadowedRate, 0.3)
        XCTAssertEqual(shadowedRate, guardedRate, accuracy: 0.01)
        shadowed.checkInvariants()
    }
}
