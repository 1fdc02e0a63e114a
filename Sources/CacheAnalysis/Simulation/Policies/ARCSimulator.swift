/// ARC, the Adaptive Replacement Cache (Megiddo & Modha, "ARC: A Self-Tuning, Low Overhead
/// Replacement Cache", FAST 2003), at one size: what a classic recency/frequency balance
/// scores on a trace, next to LRU, W-TinyLFU and the optimum.
///
/// ```swift
/// let result = ARCSimulator.simulate(stream, capacity: .entries(512), settings: SimulationSettings())
/// ```
///
/// **The algorithm.** Residents are split into T1 (seen once recently) and T2 (seen at least
/// twice), each in LRU order; ghosts B1 and B2 remember what was recently evicted from T1 and
/// T2 (keys and weights only). A request hitting T1 or T2 moves the entry to T2's MRU end. A
/// miss that hits ghost B1 says T1 was too small: the target `p` for T1 grows by
/// max(1, |B2|/|B1|); a hit in B2 shrinks it by max(1, |B1|/|B2|); either way the object
/// enters T2. Other misses enter T1. Room is made by REPLACE: evict T1's LRU into B1 when T1
/// exceeds `p` (or equals it and the miss was in B2), else T2's LRU into B2. The directory is
/// bounded: T1 + B1 ≤ c and T1 + T2 + B1 + B2 ≤ 2c. Scan-resistant because one-time objects
/// only ever pass through T1, and self-tuning without a parameter.
///
/// **Byte capacities** (the standard adaptation of a page-count policy to sizes):
/// every size above — c, `p`, |T1|, |B1| … — is a total *weight* (bytes, or entries with
/// `--entries`); a ghost keeps the weight its entry had; the adaptation step for an object of
/// weight w is max(w, w·|B2|/|B1|) (resp. max(w, w·|B1|/|B2|)), which is the paper's step
/// with unit weights; REPLACE runs until the new object fits (with unit weights: once, when
/// the cache is full) — the cache never evicts while it has room, even after invalidations
/// have freed some, where the paper's case IV(A) would replace anyway. Directory bounds trim
/// ghosts oldest first (B1's in case IV(A), else B2's, as the paper does).
///
/// Per object: four intrusive LRU lists (``ObjectLists``), O(1) per operation. With
/// ``fixedTarget`` the target never adapts: the paper's FRC_p, for tests.
package struct ARCSimulator: ReplayPolicy {
    package static let policy = SimulationPolicy.arc
    package let limit: Int
    /// `p`, T1's target weight (`0 ... limit`).
    package private(set) var target: Int
    /// A target pinned by the caller (FRC_p), or nil: ARC adapts it.
    package let fixedTarget: Int?
    private var lists: ObjectLists

    /// The lists' numbers in ``lists``.
    private static let t1: UInt8 = 0, t2: UInt8 = 1, b1: UInt8 = 2, b2: UInt8 = 3

    package init(limit: Int, objectCount: Int) {
        self.init(limit: limit, objectCount: objectCount, fixedTarget: nil)
    }

    /// An ARC cache whose target `p` is pinned to `fixedTarget` (`0 ... limit`) when it is not nil.
    package init(limit: Int, objectCount: Int, fixedTarget: Int?) {
        self.limit = limit
        self.fixedTarget = fixedTarget.map { min(max($0, 0), limit) }
        target = self.fixedTarget ?? 0
        lists = ObjectLists(objectCount: objectCount, listCount: 4)
    }

    @inline(__always) package func contains(_ object: Int32) -> Bool {
        lists.list(of: object) <= ARCSimulator.t2
    }

    /// The weight cached (T1 + T2).
    package var residentWeight: Int { lists.weight(ofList: Self.t1) + lists.weight(ofList: Self.t2) }
    /// The weights of T1, T2, B1 and B2.
    package var segmentWeights: (t1: Int, t2: Int, b1: Int, b2: Int) {
        (lists.weight(ofList: Self.t1), lists.weight(ofList: Self.t2),
         lists.weight(ofList: Self.b1), lists.weight(ofList: Self.b2))
    }

    /// - Complexity: O(1) amortized (each eviction or ghost trim is O(1)).
    package mutating func access(_ object: Int32, weight: Int) {
        switch lists.list(of: object) {
        case Self.t1, Self.t2:
            // Case I: a hit; the entry is now frequent.
            lists.setWeight(object, weight)
            lists.moveToNewest(object, to: Self.t2)
            makeRoom(for: 0, ghostOfT2: false)
        case Self.b1:
            // Case II: T1 was too small.
            if fixedTarget == nil {
                let b1 = lists.weight(ofList: Self.b1), b2 = lists.weight(ofList: Self.b2)
                let step = b1 >= b2 ? weight : weight * b2 / max(b1, 1)
                target = min(target + step, limit)
            }
            lists.remove(object)
            makeRoom(for: weight, ghostOfT2: false)
            lists.pushNewest(object, to: Self.t2, weight: weight)
        case Self.b2:
            // Case III: T2 was too small.
            if fixedTarget == nil {
                let b1 = lists.weight(ofList: Self.b1), b2 = lists.weight(ofList: Self.b2)
                let step = b2 >= b1 ? weight : weight * b1 / max(b2, 1)
                target = max(target - step, 0)
            }
            lists.remove(object)
            makeRoom(for: weight, ghostOfT2: true)
            lists.pushNewest(object, to: Self.t2, weight: weight)
        default:
            // Case IV: a new object. (A) L1 = T1 + B1 would outgrow c: forget B1's oldest
            // ghosts, or, when T1 is the whole of L1, drop T1's LRU entries outright.
            if lists.weight(ofList: Self.t1) + lists.weight(ofList: Self.b1) + weight > limit {
                while lists.weight(ofList: Self.t1) + lists.weight(ofList: Self.b1) + weight > limit,
                      lists.count(ofList: Self.b1) > 0 {
                    lists.remove(lists.oldest(Self.b1))
                }
                while lists.weight(ofList: Self.t1) + lists.weight(ofList: Self.b1) + weight > limit,
                      lists.count(ofList: Self.t1) > 0 {
                    lists.remove(lists.oldest(Self.t1))
                }
            } else {
                // (B) the directory would outgrow 2c: forget B2's oldest ghosts.
                while directoryWeight + weight > 2 * limit, lists.count(ofList: Self.b2) > 0 {
                    lists.remove(lists.oldest(Self.b2))
                }
            }
            makeRoom(for: weight, ghostOfT2: false)
            lists.pushNewest(object, to: Self.t1, weight: weight)
        }
        // A state that grew can push the directory over 2c; ghosts go, B2's first.
        while directoryWeight > 2 * limit {
            let ghosts = lists.count(ofList: Self.b2) > 0 ? Self.b2 : Self.b1
            guard lists.count(ofList: ghosts) > 0 else { break }
            lists.remove(lists.oldest(ghosts))
        }
    }

    /// T1 + T2 + B1 + B2.
    private var directoryWeight: Int {
        lists.weight(ofList: Self.t1) + lists.weight(ofList: Self.t2)
            + lists.weight(ofList: Self.b1) + lists.weight(ofList: Self.b2)
    }

    /// The paper's REPLACE, repeated until `weight` more fits; `ghostOfT2`: the request hit B2.
    @inline(__always)
    private mutating func makeRoom(for weight: Int, ghostOfT2: Bool) {
        while residentWeight + weight > limit {
            let t1 = lists.weight(ofList: Self.t1)
            if lists.count(ofList: Self.t1) > 0
                && (t1 > target || (ghostOfT2 && t1 >= target) || lists.count(ofList: Self.t2) == 0) {
                lists.moveToNewest(lists.oldest(Self.t1), to: Self.b1)
            } else {
                lists.moveToNewest(lists.oldest(Self.t2), to: Self.b2)
            }
        }
    }

    package mutating func remove(_ object: Int32) {
        lists.remove(object)
    }

    package mutating func removeAll() {
        lists.removeAll()
        target = fixedTarget ?? 0
    }

    /// The lists (links, tags, counts, weights; no object in two), T1 + T2 ≤ c, T1 + B1 ≤ c,
    /// T1 + T2 + B1 + B2 ≤ 2c, 0 ≤ p ≤ c.
    package func checkInvariants() {
        lists.checkInvariants(names: ["T1", "T2", "B1", "B2"])
        let (t1, t2, b1, b2) = segmentWeights
        precondition(t1 + t2 <= limit, "T1 + T2 = \(t1 + t2) exceeds the capacity \(limit)")
        precondition(t1 + b1 <= limit, "T1 + B1 = \(t1 + b1) exceeds the capacity \(limit)")
        precondition(t1 + t2 + b1 + b2 <= 2 * limit, "the directory weighs \(t1 + t2 + b1 + b2), over 2 × \(limit)")
        precondition(target >= 0 && target <= limit, "p = \(target) outside 0 ... \(limit)")
    }
}
