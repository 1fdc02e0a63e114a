import XCTest
@testable import CacheCore

/// The mini-simulation window (`miniSimulation`) becomes LRU where recency is all that
/// matters, stays W-TinyLFU where frequency wins, and keeps its sampled copies consistent.
final class WindowMiniSimulationTests: XCTestCase {
    typealias Tests = WindowAdaptationTests

    private func hitRate(_ trace: [Int], capacity: Int, _ adaptation: WindowAdaptation) -> (Double, WindowTinyLFU) {
        Tests.wholeTraceHitRate(trace, capacity: capacity, adaptation)
    }

    /// On a pure-recency trace (every key requested twice, the second time within the cache's
    /// reach of LRU) the guarded climber stays far below LRU over the whole trace; the
    /// mini-simulations pick a candidate whose window holds every reuse (≥ 60% of the cache here,
    /// where reuses come at most 52% of the cache apart) and hit what LRU hits.
    func testBecomesLRUOnARecencyTrace() {
        let capacity = 1000
        let trace = Tests.recencyTrace(capacity: capacity, length: 300_000, seed: 3)
        var lru = Tests.ReferenceLRU(capacity: capacity)
        for key in trace { lru.access(key) }
        let lruRate = Double(lru.hits) / Double(trace.count)
        let (guarded, _) = hitRate(trace, capacity: capacity, .guardedHillClimbing)
        XCTAssertLessThan(guarded, lruRate - 0.05, "the guarded climber alone is slow here")
        for adaptation in [WindowAdaptation.miniSimulation, .twoLevel] {
            let (simulated, policy) = hitRate(trace, capacity: capacity, adaptation)
            XCTAssertGreaterThan(simulated, lruRate - 0.01, "\(adaptation) \(simulated) vs LRU \(lruRate)")
            XCTAssertGreaterThanOrEqual(policy.windowMaximum, capacity * 60 / 100, "\(adaptation): the window holds every reuse")
        }
    }

    /// On a loop a little larger than the cache LRU hits nothing and W-TinyLFU keeps a part:
    /// the mini-simulations keep the small window and do as well as the guarded climber.
    func testStaysWTinyLFUOnALoop() {
        var loop: [Int] = []
        for _ in 0..<100 { loop += (0..<1500) }
        let (guarded, _) = hitRate(loop, capacity: 1000, .guardedHillClimbing)
        for adaptation in [WindowAdaptation.miniSimulation, .twoLevel] {
            let (simulated, policy) = hitRate(loop, capacity: 1000, adaptation)
            XCTAssertGreaterThan(simulated, 0.3, "\(adaptation)")
            XCTAssertGreaterThan(simulated, guarded - 0.01, "\(adaptation)")
            XCTAssertLessThan(policy.windowMaximum, 1000 / 2, "\(adaptation): the window stayed small")
        }
    }

    /// Large policies replay a sample of their keys through candidates a `sampling`-th of their
    /// size; byte-weighted ones never replay more than one key in 16.
    func testSamplingBoundsTheWork() {
        let large = WindowMiniSimulation(maximumWeight: 64_000, expectedEntries: 64_000, minimumSampling: 1, seed: 1)
        XCTAssertEqual(large.sampling, 64)
        let small = WindowMiniSimulation(maximumWeight: 500, expectedEntries: 500, minimumSampling: 1, seed: 1)
        XCTAssertEqual(small.sampling, 1)
        let bytes = WindowTinyLFU(configuration: .init(maximumWeight: 300_000, adaptation: .miniSimulation))
        XCTAssertGreaterThanOrEqual(bytes.controller.sampling, WindowMiniSimulation.minimumByteWeightedSampling)
        XCTAssertEqual(WindowTinyLFU(configuration: .init(maximumWeight: 1000, adaptation: .guardedHillClimbing)).controller.sampling, 0,
                       "other modes replay nothing")
    }

    /// Replacements, removals and clearing reach the candidates: after a random mix of them on
    /// a byte-weighted policy every candidate's and the shadow's invariants still hold.
    /// A sampled request changes the sample caches in place: copying them (a second reference to
    /// their arrays, as a `switch` over the strategy keeps) would cost a copy of every candidate's
    /// entries per sampled request — a fifth of the cache's set speed was lost that way.
    func testSampledRequestsChangeTheSampleCachesInPlace() {
        for adaptation in [WindowAdaptation.miniSimulation, .twoLevel] {
            var policy = WindowTinyLFU(configuration: .init(maximumWeight: 4_000, adaptation: adaptation, expectedEntries: 4_000))
            for k in 0..<20_000 { policy.set(Tests.key(k % 6_000), ObjectState(state: [], tid: .zero), weight: 1) }
            let sampled = (0..<6_000).map(Tests.key).filter { policy.controller.samples($0.sketchHashCode) }
            XCTAssertGreaterThan(sampled.count, 10, "\(adaptation): some keys are sampled")
            for key in sampled.prefix(10) {
                let before = candidateStorage(policy)
                if policy.get(key) == nil { policy.set(key, ObjectState(state: [], tid: .zero), weight: 1) }
                XCTAssertEqual(candidateStorage(policy), before, "\(adaptation): a sampled request copied the sample caches")
            }
            policy.checkInvariants()
        }
    }

    /// Where each sample cache keeps its entries (changes when an array is copied or grows).
    private func candidateStorage(_ policy: WindowTinyLFU) -> [UnsafeRawPointer?] {
        let simulation: WindowMiniSimulation
        switch policy.controller.strategy {
        case .miniSimulation(let value), .twoLevel(let value, _): simulation = value
        default: return []
        }
        return simulation.candidates.map { candidate in candidate.arena.nodes.withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress) } }
    }

    func testCandidatesFollowRemovalsAndReplacements() {
        for adaptation in [WindowAdaptation.miniSimulation, .twoLevel] {
            checkCandidatesFollowRemovalsAndReplacements(adaptation)
        }
    }

    private func checkCandidatesFollowRemovalsAndReplacements(_ adaptation: WindowAdaptation) {
        var policy = WindowTinyLFU(configuration: .init(maximumWeight: 40_000, adaptation: adaptation,
                                                        expectedEntries: 400))
        var random = SplitMix64(seed: 21)
        for step in 0..<60_000 {
            let key = Tests.key(Int(random.next() % 900))
            switch random.next() % 10 {
            case 0: policy.remove(key)
            case 1: policy.set(key, ObjectState(state: [], tid: .zero), weight: Int(random.next() % 300) + 1)
            default:
                if policy.get(key) == nil { policy.set(key, ObjectState(state: [], tid: .zero), weight: Int(random.next() % 300) + 1) }
            }
            if step == 30_000 { policy.removeAll() }
            if step % 5_000 == 0 { policy.checkInvariants() }
        }
        policy.checkInvariants()
        XCTAssertGreaterThan(policy.counters.hits, 0)
    }

    /// A window that grew to LRU (into probation's budget) and came back must leave the policy
    /// laid out as the candidate it now follows — protected 80% of the main space — and not
    /// hand probation's share to protected (issue #28: probation was left with 1 entry of
    /// 1,000). The moves are the ones a period's decision makes: the whole cache, then 1%.
    func testWindowComingBackRestoresProbation() {
        let capacity = 1000
        var policy = WindowTinyLFU(configuration: Tests.config(capacity, .miniSimulation))
        var random = SplitMix64(seed: 9)
        for _ in 0..<20_000 {
            let key = Tests.key(Int(random.next() % 3_000))
            if policy.get(key) == nil { policy.set(key, ObjectState(state: [], tid: .zero), weight: 1) }
        }
        policy.controller.pendingMove = capacity - policy.windowMaximum
        policy.increaseWindow()
        XCTAssertGreaterThan(policy.windowMaximum, capacity * 9 / 10, "the window became (nearly) LRU")
        XCTAssertEqual(policy.protectedMaximum, 0, "LRU has no protected segment")
        policy.controller.pendingMove = capacity / 100 - policy.windowMaximum
        policy.decreaseWindow()
        policy.checkInvariants()
        XCTAssertEqual(policy.windowMaximum, capacity / 100, "the window came back to 1%")
        let main = capacity - policy.windowMaximum
        XCTAssertEqual(Double(policy.protectedMaximum), 0.8 * Double(main), accuracy: 1.5, "protected is 80% of the main space")
        XCTAssertGreaterThanOrEqual(capacity - policy.windowMaximum - policy.protectedMaximum, main / 5 - 1, "probation has its fifth")
    }

    /// A warm policy (a hot set of 400 keys, two requests in three, among 5,000 cold ones) whose
    /// window went to LRU — protected emptied — and came back to 1%, with `promotion` as the
    /// sketch count from which a leaving window entry goes to protected (0: none does).
    private func afterAnExcursionToLRU(promotion: Int) -> WindowTinyLFU {
        let capacity = 1000
        var policy = WindowTinyLFU(configuration: Tests.config(capacity, .miniSimulation))
        policy.controller.promotionOnShrink = promotion
        var random = SplitMix64(seed: 11)
        for _ in 0..<60_000 {
            let draw = random.next()
            let key = draw % 3 != 0 ? Tests.key(Int(draw >> 8 % 400)) : Tests.key(400 + Int(draw >> 8 % 5_000))
            if policy.get(key) == nil { policy.set(key, ObjectState(state: [], tid: .zero), weight: 1) }
        }
        policy.controller.pendingMove = capacity - policy.windowMaximum
        policy.increaseWindow()
        XCTAssertEqual(policy.protectedMaximum, 0, "LRU has no protected segment")
        policy.controller.pendingMove = capacity / 100 - policy.windowMaximum
        policy.decreaseWindow()
        policy.checkInvariants()
        XCTAssertEqual(policy.windowMaximum, capacity / 100, "the window came back to 1%")
        return policy
    }

    /// Coming back from LRU, the entries the shrinking window gives back that the sketch counts
    /// as frequent (the hot set) go to protected at once; without that, protected would stay
    /// empty until probation's entries were hit again, a whole turnover of the cache.
    func testShrinkingWindowRefillsProtectedWithFrequentEntries() {
        XCTAssertEqual(WindowTinyLFU(configuration: Tests.config(1000, .miniSimulation)).controller.promotionOnShrink,
                       WindowController.promotionFrequency, "the default mode promotes on a shrink")
        XCTAssertEqual(WindowTinyLFU(configuration: Tests.config(1000, .hillClimbing)).controller.promotionOnShrink, 0,
                       "Caffeine's climber keeps its own layout")

        let plain = afterAnExcursionToLRU(promotion: 0)
        var statistics = CacheStatistics()
        plain.accumulate(into: &statistics)
        XCTAssertEqual(statistics.protected.entries, 0, "without promotion, protected is empty after the move")

        let kept = afterAnExcursionToLRU(promotion: WindowController.promotionFrequency)
        statistics = CacheStatistics()
        kept.accumulate(into: &statistics)
        XCTAssertGreaterThan(statistics.protected.entries, 300, "the hot set is protected again")
        XCTAssertLessThanOrEqual(statistics.protected.bytes, kept.protectedMaximum, "within protected's budget")
        let hotProtected = (0..<400).filter { kept.region(of: Tests.key($0)) == .protected }.count
        let coldProtected = (400..<5_400).filter { kept.region(of: Tests.key($0)) == .protected }.count
        XCTAssertGreaterThan(hotProtected, 4 * coldProtected, "protected holds the frequent keys, not the cold ones")
    }

    /// The keys of probation, from its head (the next to face an admission contest).
    private func probationKeys(_ policy: WindowTinyLFU) -> [CacheKey] {
        var keys: [CacheKey] = []
        var slot = policy.probationQueue.head
        while slot >= 0 {
            keys.append(policy.arena.nodes[Int(slot)].key)
            slot = policy.arena.nodes[Int(slot)].next
        }
        return keys
    }

    /// A window that shrinks (here from 20% to 1%) puts the entries it gives back, those it does
    /// not promote, at probation's head: the window admitted them without a contest, and the
    /// next contests meet them before anything probation already held. Caffeine's climber keeps
    /// Caffeine's order (the tail).
    func testShrinkingWindowHandsItsEntriesToTheNextContests() {
        for adaptation in [WindowAdaptation.miniSimulation, .hillClimbing] {
            let capacity = 1000
            var policy = WindowTinyLFU(configuration: Tests.config(capacity, adaptation))
            policy.controller.promotionOnShrink = 0
            var random = SplitMix64(seed: 21)
            for _ in 0..<30_000 {
                let key = Tests.key(Int(random.next() % 2_500))
                if policy.get(key) == nil { policy.set(key, ObjectState(state: [], tid: .zero), weight: 1) }
            }
            policy.controller.pendingMove = capacity / 5 - policy.windowMaximum
            if policy.controller.pendingMove > 0 { policy.increaseWindow() } else { policy.decreaseWindow() }
            let window = Set((0..<2_500).map(Tests.key).filter { policy.region(of: $0) == .window })
            let probationBefore = probationKeys(policy)
            XCTAssertGreaterThan(window.count, 100, "\(adaptation): a 20% window")
            policy.controller.pendingMove = capacity / 100 - policy.windowMaximum
            policy.decreaseWindow()
            policy.checkInvariants()
            let probationAfter = probationKeys(policy)
            let moved = probationAfter.filter { window.contains($0) }
            XCTAssertGreaterThan(moved.count, 100, "\(adaptation): the window gave its entries back")
            let expected = adaptation == .miniSimulation ? moved + probationBefore : probationBefore + moved
            XCTAssertEqual(probationAfter, expected, "\(adaptation): where the window's entries went")
        }
    }
}
