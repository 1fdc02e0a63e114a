import CacheAnalysis
import CacheCore
import XCTest

/// ARC, LIRS, 2Q and S3-FIFO on small traces worked out by hand (unit weights), each step's
/// reasoning written next to it; invariants checked after every operation; and a seeded
/// random workout of every operation, weights and edge case with the invariants after each.
final class ClassicPolicyTests: XCTestCase {
    /// Objects by letter: a = 0, b = 1, …
    private func ids(_ letters: String) -> [Int32] {
        letters.filter { $0 != " " }.map { Int32($0.asciiValue! - Character("a").asciiValue!) }
    }

    /// Requests every object with weight 1, checking the invariants after each; the hits.
    private func run<P: ReplayPolicy>(_ cache: inout P, _ letters: String,
                                      after: (Int, P) -> Void = { _, _ in }) -> [Bool] {
        ids(letters).enumerated().map { step, object in
            let hit = cache.request(object, weight: 1)
            cache.checkInvariants()
            after(step + 1, cache)
            return hit
        }
    }

    /// The 1-based steps that hit.
    private func hitSteps(_ hits: [Bool]) -> [Int] {
        hits.enumerated().filter(\.element).map { $0.offset + 1 }
    }

    private func cached<P: ReplayPolicy>(_ cache: P, objects: Int) -> String {
        String((0 ..< objects).filter { cache.contains(Int32($0)) }.map { Character(UnicodeScalar(UInt8(97 + $0))) })
    }

    // MARK: - ARC

    /// c = 4. T1/T2/B1/B2 oldest first; p is T1's target.
    ///  1 a  miss → T1 [a]
    ///  2 b  miss → T1 [a b]
    ///  3 a  HIT in T1 → T2 [a]; T1 [b]
    ///  4 c  miss → T1 [b c]
    ///  5 d  miss → T1 [b c d]; the cache is full (3 + 1)
    ///  6 e  miss, case IV(B): REPLACE, |T1| = 3 > p = 0 → b to B1; T1 [c d e], B1 [b]
    ///  7 b  miss in B1 (case II): p += max(1, |B2|/|B1| = 0) → 1; REPLACE: |T1| 3 > 1 → c to B1;
    ///       T2 [a b], T1 [d e], B1 [c]
    ///  8 f  miss, |T1| + |B1| = 3 < 4 (IV B); REPLACE: 2 > 1 → d to B1; T1 [e f], B1 [c d]
    ///  9 a  HIT in T2 → T2 [b a]
    /// 10 c  miss in B1: p → 2; REPLACE: |T1| = 2 is not > 2 → T2's LRU b to B2; T2 [a c], B1 [d], B2 [b]
    /// 11 b  miss in B2 (case III): p −= max(1, |B1|/|B2| = 1) → 1; REPLACE: 2 > 1 → e to B1;
    ///       T2 [a c b], T1 [f], B1 [d e], B2 []
    /// 12 e  miss in B1: p → 2; REPLACE: 1 is not > 2 → a to B2; T2 [c b e], B2 [a]
    /// 13 a  miss in B2: p → 1; REPLACE: x ∈ B2 and |T1| = p = 1 → f to B1; T1 [], T2 [c b e a], B1 [d f]
    /// 14 d  miss in B1: p += 1 → 2; REPLACE: T1 is empty → c to B2; T2 [b e a d], B1 [f], B2 [c]
    func testARCByHand() {
        var cache = ARCSimulator(limit: 4, objectCount: 6)
        var targets: [Int] = []
        let hits = run(&cache, "abacdebfacbead") { _, cache in targets.append(cache.target) }
        XCTAssertEqual(hitSteps(hits), [3, 9])
        XCTAssertEqual(targets, [0, 0, 0, 0, 0, 0, 1, 1, 1, 2, 1, 2, 1, 2])
        XCTAssertEqual(cached(cache, objects: 6), "abde")
        let weights = cache.segmentWeights
        XCTAssertEqual([weights.t1, weights.t2, weights.b1, weights.b2], [0, 4, 1, 1])
        // LRU (c = 4) hits this trace at steps 3, 11 and 13: the counts differ, so the test
        // tells ARC from LRU.
        var lru = [Int32]()
        var lruHits: [Int] = []
        for (step, object) in ids("abacdebfacbead").enumerated() {
            if let index = lru.firstIndex(of: object) {
                lruHits.append(step + 1)
                lru.remove(at: index)
            } else if lru.count == 4 {
                lru.removeFirst()
            }
            lru.append(object)
        }
        XCTAssertEqual(lruHits, [3, 11, 13])
    }

    /// Case IV(A) with an empty B1: T1 is all of L1, so its LRU entry is dropped outright — not
    /// remembered in B1 — and coming back is a plain miss that does not move p.
    ///  c = 2: a, b → T1 [a b]; c: |T1| + |B1| + 1 > 2 → drop a; T1 [b c]; a: same → drop b; T1 [c a].
    func testARCDropsT1sLRUWithoutAGhostWhenT1IsAllOfL1() {
        var cache = ARCSimulator(limit: 2, objectCount: 3)
        let hits = run(&cache, "abca")
        XCTAssertEqual(hits, [false, false, false, false])
        XCTAssertEqual(cache.target, 0)
        XCTAssertEqual(cache.segmentWeights.b1, 0)
        XCTAssertEqual(cached(cache, objects: 3), "ac")
    }

    // MARK: - LIRS

    /// c = 3: L_hirs = 1 (1% of 3, at least 1), L_lirs = 2. S bottom first; Q front first; NR =
    /// non-resident HIR entries (all in S).
    ///  1 a  miss, LIR not full → LIR; S [a]
    ///  2 b  miss → LIR; S [a b]
    ///  3 c  miss, LIR full → resident HIR; S [a b c], Q [c]
    ///  4 a  HIT (LIR) → S [b c a]
    ///  5 d  miss: evict Q's front c (stays in S, non-resident); d → HIR: S [b c a d], Q [d], NR [c]
    ///  6 c  miss: evict d (non-resident); c is in S → LIR, S [b a d c]; the LIR set (3) overflows →
    ///       bottom b demoted to Q and out of S; S [a d c], Q [b], NR [d]
    ///  7 b  HIT (resident HIR, not in S) → S [a d c b], Q [b]
    ///  8 d  miss: evict b (in S → non-resident); d is in S → LIR; S [a c b d]; demote a:
    ///       S [c b d], Q [a], NR [b]
    ///  9 a  HIT (resident HIR, not in S) → S [c b d a], Q [a]
    /// 10 b  miss: evict a (non-resident); b in S → LIR; S [c d a b]; demote c: S [d a b], Q [c], NR [a]
    /// 11 c  HIT (resident HIR, not in S) → S [d a b c], Q [c]
    /// 12 e  miss: evict c (non-resident); e → HIR: S [d a b c e], Q [e], NR [a c]
    /// 13 d  HIT (LIR, S's bottom) → S [a b c e d]; pruning drops a (non-resident: forgotten):
    ///       S [b c e d], NR [c]
    /// 14 a  miss, a is unknown now: evict e (non-resident); a → HIR: S [b c e d a], Q [a], NR [c e]
    func testLIRSByHand() {
        var cache = LIRSSimulator(limit: 3, objectCount: 5)
        XCTAssertEqual(cache.hirLimit, 1)
        XCTAssertEqual(cache.lirLimit, 2)
        let hits = run(&cache, "abcadcbdabceda")
        XCTAssertEqual(hitSteps(hits), [4, 7, 9, 11, 13])
        XCTAssertEqual(cached(cache, objects: 5), "abd")
        XCTAssertEqual((0 ..< 5).filter { cache.isLIR(Int32($0)) }, [1, 3], "LIR: b and d")
        let sizes = cache.sizes
        XCTAssertEqual([sizes.stack, sizes.queue, sizes.nonResident], [5, 1, 2])
    }

    // MARK: - 2Q

    /// c = 4: Kin = 1 (25%), Kout = 2 ids (50%). A1in and A1out oldest first; Am LRU first.
    ///  1–2 a b  miss → A1in [a b]
    ///  3 a      HIT in A1in: a correlated reference, nothing moves
    ///  4–5 c d  miss → A1in [a b c d]; full
    ///  6 e      miss: |A1in| = 4 > Kin → a out, to A1out; A1in [b c d e], A1out [a]
    ///  7 a      miss, in A1out: reclaim (A1in > Kin → b to A1out); a → Am [a]; A1in [c d e], A1out [b]
    ///  8 b      miss, in A1out: c to A1out; Am [a b]; A1in [d e], A1out [c]
    ///  9 f      miss: d to A1out; A1in [e f], A1out [c d]
    /// 10 b      HIT in Am → Am [a b]
    /// 11 g      miss: e to A1out, over Kout → c forgotten; A1in [f g], A1out [d e]
    /// 12 c      miss (forgotten, so new): f to A1out, d forgotten; A1in [g c], A1out [e f]
    /// 13 h      miss: g to A1out, e forgotten; A1in [c h], A1out [f g]
    /// 14 f      miss, in A1out: c to A1out; Am [a b f]; A1in [h], A1out [g c]
    /// 15 g      miss, in A1out: |A1in| = 1 is not > Kin → Am's LRU a is evicted (no ghost);
    ///           Am [b f g], A1out [c]
    /// 16 a      miss (a was not remembered) → new: Am's LRU b goes; A1in [h a], Am [f g]
    func testTwoQueueByHand() {
        var cache = TwoQueueSimulator(limit: 4, objectCount: 8)
        XCTAssertEqual([cache.inLimit, cache.outLimit], [1, 2])
        let hits = run(&cache, "abacdeabfbgchfga")
        XCTAssertEqual(hitSteps(hits), [3, 10])
        XCTAssertEqual(cached(cache, objects: 8), "afgh")
        let weights = cache.segmentWeights
        XCTAssertEqual([weights.a1in, weights.am, weights.a1out], [2, 2, 1])
    }

    // MARK: - S3-FIFO

    /// c = 5: S = 1 (10%, at least 1), M = 4, G holds 4 ids. Queues oldest first, counters in ().
    ///  1–2 a b   miss → S [a b]
    ///  3 a       HIT: a(1)
    ///  4–6 c d e miss → S [a b c d e]; full
    ///  7 f       miss: S ≥ 1 → evict from S: a(1) was accessed → M [a]; b(0) → G [b]; S [c d e f]
    ///  8 a       HIT: a(2)
    ///  9 b       miss, in G → M: evict from S first: c(0) → G [c]; M [a b]; S [d e f]
    /// 10 d       HIT: d(1)
    /// 11 g       miss: d(1) → M [a b d]; e(0) → G [c e]; S [f g]
    /// 12 h       miss: f → G [c e f]; S [g h]
    /// 13 i       miss: g → G [c e f g]; S [h i]
    /// 14 j       miss: h → G, over 4 ids → c forgotten: G [e f g h]; S [i j]
    /// 15 i       HIT: i(1)
    /// 16 e       miss, in G: evict from S: i(1) → M [a b d i] (4, not over M's 4); j → G [f g h j];
    ///            S []; e → M [a b d i e]
    /// 17 k       miss: S is empty → evict from M: a(2) → a(1) reinserted; b(0) evicted; M [d i e a]; S [k]
    /// 18 b       miss (b left from M: no ghost): k → G [g h j k] (f forgotten); S [b]
    /// 19 a       HIT: a(2)
    /// 20 d       HIT: d(2) (it kept its counter when promoted)
    /// 21 b       HIT: b(1)
    /// 22 l       miss: b(1) → M [d i e a b], over 4 → evict from M: d(2) → d(1) reinserted,
    ///            i(1) → i(0) reinserted, e(0) evicted; M [a b d i]; S is empty, l fits: S [l]
    func testS3FIFOByHand() {
        var cache = S3FIFOSimulator(limit: 5, objectCount: 12)
        XCTAssertEqual([cache.smallLimit, cache.mainLimit], [1, 4])
        XCTAssertEqual(S3FIFOSimulator.promotionThreshold, 1)
        let hits = run(&cache, "abacdefabdghijiekbadbl")
        XCTAssertEqual(hitSteps(hits), [3, 8, 10, 15, 19, 20, 21])
        XCTAssertEqual(cached(cache, objects: 12), "abdil")
        XCTAssertEqual(ids("abdil").map { cache.frequency(of: $0) }, [2, 1, 1, 0, 0])
        let weights = cache.segmentWeights
        XCTAssertEqual([weights.small, weights.main, weights.ghost], [1, 4, 4])
    }

    // MARK: - Every policy

    private func forEachPolicy(_ body: (any ReplayPolicy.Type) throws -> Void) rethrows {
        let types: [any ReplayPolicy.Type] = [ARCSimulator.self, LIRSSimulator.self, TwoQueueSimulator.self, S3FIFOSimulator.self]
        for type in types {
            try body(type)
        }
    }

    /// A state heavier than the whole cache, or not cacheable (−1), misses, is not cached and
    /// evicts nothing; a drop (invalidation) removes the object; a cold restart empties the cache.
    func testOversizedAndUncacheableStatesAndDrops() {
        func check<P: ReplayPolicy>(_ type: P.Type) {
            var cache = P(limit: 10, objectCount: 8)
            for object in Int32(0) ..< 3 { cache.request(object, weight: 3) }
            cache.checkInvariants()
            XCTAssertFalse(cache.request(3, weight: 11), "\(P.policy)")
            cache.checkInvariants()
            XCTAssertFalse(cache.contains(3), "\(P.policy)")
            XCTAssertEqual((0 ..< 3).filter { cache.contains(Int32($0)) }.count, 3, "\(P.policy): nothing evicted")
            XCTAssertFalse(cache.request(1, weight: -1), "\(P.policy): an uncacheable state misses")
            XCTAssertFalse(cache.contains(1), "\(P.policy): and drops the object")
            cache.store(2, weight: 20)
            XCTAssertFalse(cache.contains(2), "\(P.policy): an oversized store drops the object")
            cache.remove(0)
            cache.checkInvariants()
            XCTAssertFalse(cache.request(0, weight: 3), "\(P.policy): invalidated")
            cache.store(5, weight: 4)
            XCTAssertTrue(cache.request(5, weight: 4), "\(P.policy): a store caches")
            cache.removeAll()
            cache.checkInvariants()
            XCTAssertFalse((0 ..< 8).contains { cache.contains(Int32($0)) }, "\(P.policy)")
        }
        forEachPolicy { check($0) }
    }

    /// Seeded random operations — requests and stores of varying weights (some oversized or
    /// uncacheable), invalidations, cold restarts — at several capacities: the invariants hold
    /// after each, a request hits exactly when the object was cached, and a missed request
    /// leaves its object cached.
    func testRandomOperationsKeepTheInvariants() {
        func workout<P: ReplayPolicy>(_ type: P.Type, limit: Int, maximumWeight: Int, seed: UInt64) {
            var random = SplitMix64(seed: seed)
            var cache = P(limit: limit, objectCount: 60)
            for step in 0 ..< 3_000 {
                let object = Int32(truncatingIfNeeded: random.next() % (random.next() % 2 == 0 ? 12 : 60))
                let weight = Int(random.next() % UInt64(maximumWeight)) + 1
                switch random.next() % 100 {
                case 0 ..< 70:
                    let odd = random.next() % 50
                    let w = odd == 0 ? -1 : odd == 1 ? limit + 1 : weight
                    let wasCached = cache.contains(object)
                    XCTAssertEqual(cache.request(object, weight: w), wasCached && w >= 0 && w <= limit,
                                   "\(P.policy) step \(step)")
                    if !wasCached && w >= 0 && w <= limit {
                        XCTAssertTrue(cache.contains(object), "\(P.policy) step \(step): a miss caches")
                    }
                case 70 ..< 85: cache.store(object, weight: weight)
                case 85 ..< 99: cache.remove(object)
                default: cache.removeAll()
                }
                cache.checkInvariants()
            }
        }
        var seed: UInt64 = 1
        forEachPolicy { type in
            func go<P: ReplayPolicy>(_ type: P.Type) {
                for (limit, maximumWeight) in [(1, 1), (4, 1), (25, 1), (40, 9), (200, 30)] {
                    seed += 1
                    workout(type, limit: limit, maximumWeight: maximumWeight, seed: seed)
                }
            }
            go(type)
        }
    }
}
