import XCTest
@testable import CacheCore

/// Pins the policy's behaviour with unit weights (one entry = weight 1) unless a test says otherwise.
final class WindowTinyLFUTests: XCTestCase {
    func key(_ i: Int) -> CacheKey { CacheKey(oid: ObjectID(UInt64(i)), tid: .zero) }

    func policy(_ maximum: Int, adaptation: WindowAdaptation = .fixed, window: Double = 0.01) -> WindowTinyLFU {
        WindowTinyLFU(configuration: .init(maximumWeight: maximum, initialWindowFraction: window,
                                           adaptation: adaptation, expectedEntries: maximum, seed: 1))
    }

    func set(_ p: inout WindowTinyLFU, _ i: Int, weight: Int = 1) {
        p.set(key(i), ObjectState(state: [UInt8(truncatingIfNeeded: i)], tid: TransactionID(UInt64(i))), weight: weight)
    }

    func testRegionSizesFollowCaffeine() {
        XCTAssertEqual(policy(100).windowMaximum, 1)
        XCTAssertEqual(policy(512).windowMaximum, 6)
        XCTAssertEqual(policy(1000).windowMaximum, 10)
        XCTAssertEqual(policy(1000).protectedMaximum, 792)
        XCTAssertEqual(policy(1000, window: 0.2).windowMaximum, 200)
    }

    func testGetReturnsWhatWasSetAndCountsHitsAndMisses() {
        var p = policy(10)
        set(&p, 1)
        let hit = p.get(key(1))
        XCTAssertEqual(hit, ObjectState(state: [1], tid: TransactionID(1)))
        XCTAssertNil(p.get(key(2)))
        XCTAssertEqual(p.counters.hits, 1)
        XCTAssertEqual(p.counters.misses, 1)
        XCTAssertEqual(p.counters.sets, 1)
        XCTAssertTrue(p.contains(key(1)))
        XCTAssertEqual(p.counters.hits, 1, "contains is not a hit")
        p.checkInvariants()
    }

    func testTiesKeepTheVictim() {
        var p = policy(100)
        for i in 0..<100 { set(&p, i) }
        XCTAssertEqual(p.count, 100)
        set(&p, 100)  // window overflows: candidate 99 (seen once) meets victim 0 (seen once)
        XCTAssertTrue(p.contains(key(0)), "the victim wins a tie")
        XCTAssertFalse(p.contains(key(99)), "the candidate loses a tie")
        XCTAssertTrue(p.contains(key(100)), "the newcomer is in the window")
        XCTAssertEqual(p.counters.admissionRejections, 1)
        p.checkInvariants()
    }

    func testAMoreFrequentCandidateIsAdmitted() {
        var p = policy(100)
        for i in 0..<100 { set(&p, i) }
        set(&p, 200)
        set(&p, 201)          // 200 contests victim 0 at equal frequency and loses
        XCTAssertFalse(p.contains(key(200)))
        set(&p, 200)          // seen twice now
        set(&p, 202)          // 200 contests victim 0 (seen once) and wins
        XCTAssertTrue(p.contains(key(200)))
        XCTAssertFalse(p.contains(key(0)))
        XCTAssertEqual(p.region(of: key(200)), .probation)
        p.checkInvariants()
    }

    func testScanResistance() {
        var p = policy(1000)
        let hot = 0..<700
        for _ in 0..<5 { for i in hot { if p.get(key(i)) == nil { set(&p, i) } } }
        let before = hot.filter { p.contains(key($0)) }.count
        for i in 100_000..<120_000 { if p.get(key(i)) == nil { set(&p, i) } }  // a scan of one-time keys
        let after = hot.filter { p.contains(key($0)) }.count
        XCTAssertGreaterThan(before, 690)
        XCTAssertGreaterThan(after, before - 20, "a scan of 20× the cache must not flush the hot set")
        p.checkInvariants()
    }

    func testHitInProbationPromotesAndProtectedOverflowDemotes() {
        var p = policy(100)
        for i in 0..<100 { set(&p, i) }
        XCTAssertEqual(p.region(of: key(0)), .probation)
        _ = p.get(key(0))
        XCTAssertEqual(p.region(of: key(0)), .protected)
        for i in 1..<99 { _ = p.get(key(i)) }  // 99 promotions into a protected budget of 79
        XCTAssertLessThanOrEqual(p.protectedQueue.weight, p.protectedMaximum)
        XCTAssertEqual(p.protectedQueue.count, 79)
        XCTAssertEqual(p.region(of: key(0)), .probation, "the least recent protected entry was demoted")
        XCTAssertEqual(p.region(of: key(98)), .protected)
        p.checkInvariants()
    }

    func testWeightedEvictionNeverExceedsTheLimitUnderRandomOperations() {
        for seed in 1...8 as ClosedRange<UInt64> {
            var p = WindowTinyLFU(configuration: .init(maximumWeight: 5000, adaptation: .guardedHillClimbing, seed: seed))
            var generator = SplitMix64(seed: seed)
            for step in 0..<6000 {
                let i = Int(generator.next() % 400)
                switch generator.next() % 10 {
                case 0...5:
                    if p.get(key(i)) == nil { set(&p, i, weight: Int(generator.next() % 300) + 1) }
                case 6, 7: set(&p, i, weight: Int(generator.next() % 300))
                case 8: p.remove(key(i))
                default: set(&p, i, weight: 6000)  // heavier than the cache: refused
                }
                XCTAssertLessThanOrEqual(p.weight, 5000)
                if step % 50 == 0 { p.checkInvariants() }
            }
            p.checkInvariants()
        }
    }

    func testAnEntryHeavierThanTheCacheIsRefusedAndReplacesNothing() {
        var p = policy(100)
        set(&p, 1)
        XCTAssertFalse(p.set(key(2), ObjectState(state: [], tid: .zero), weight: 101))
        XCTAssertFalse(p.contains(key(2)))
        XCTAssertTrue(p.contains(key(1)))
        XCTAssertFalse(p.set(key(1), ObjectState(state: [], tid: .zero), weight: 101))
        XCTAssertFalse(p.contains(key(1)), "a refused replacement removes the old value")
        p.checkInvariants()
    }

    func testWarmCandidatesAreAdmittedOneTimeInAbout128() {
        var p = policy(10)
        set(&p, 1)
        set(&p, 2)
        for _ in 0..<7 { _ = p.get(key(1)) }   // candidate: estimate 8 (warm)
        for _ in 0..<12 { _ = p.get(key(2)) }  // victim: estimate 13
        let candidate = p.slot(of: key(1))!, victim = p.slot(of: key(2))!
        var admitted = 0
        for _ in 0..<128_00 where p.admit(candidate: candidate, victim: victim) { admitted += 1 }
        XCTAssertGreaterThan(admitted, 60)
        XCTAssertLessThan(admitted, 150)
        // A cold candidate (below 6) never wins against a more frequent victim.
        set(&p, 3)
        let cold = p.slot(of: key(3))!
        for _ in 0..<10_000 { XCTAssertFalse(p.admit(candidate: cold, victim: victim)) }
    }

    func testRemoveAllEmptiesTheCache() {
        var p = policy(100)
        for i in 0..<150 { set(&p, i) }
        p.removeAll()
        XCTAssertEqual(p.count, 0)
        XCTAssertEqual(p.weight, 0)
        set(&p, 1)
        XCTAssertTrue(p.contains(key(1)))
        p.checkInvariants()
    }

    func testReplacingAnEntryUpdatesValueAndWeight() {
        var p = policy(100)
        set(&p, 1, weight: 10)
        p.set(key(1), ObjectState(state: [9, 9], tid: TransactionID(9)), weight: 30)
        XCTAssertEqual(p.weight, 30)
        XCTAssertEqual(p.get(key(1))?.state, [9, 9])
        XCTAssertEqual(p.count, 1)
        p.checkInvariants()
    }
}
