/// Full 2Q (Johnson & Shasha, "2Q: A Low Overhead High Performance Buffer Management
/// Replacement Algorithm", VLDB 1994), at one size: the classic scan-resistant split of the
/// cache into a probation FIFO and a main LRU, with a ghost queue deciding who is promoted.
///
/// ```swift
/// let result = TwoQueueSimulator.simulate(stream, capacity: .entries(512), settings: SimulationSettings())
/// ```
///
/// **The algorithm** (the paper's "full version"). New objects enter A1in, a FIFO. A hit in
/// A1in does nothing (the paper's *correlated references*: a burst of accesses right after
/// the first one says nothing about the future). When room is needed and A1in is over its
/// share Kin, A1in's oldest object leaves the cache and its id joins A1out, a FIFO of ghost
/// ids bounded by Kout; otherwise Am's least recent object leaves (and is forgotten). A miss
/// whose id is in A1out — the object came back after its probation — enters Am, an LRU list,
/// where hits move it to the MRU end. One-time objects (a scan) never get past A1in and A1out.
///
/// **Parameters:** the paper's recommended Kin = 25% of the cache and Kout = 50% (as many ids
/// as half the cache holds pages).
///
/// **Byte capacities** (the standard adaptation): Kin, Kout and the cache are weights; A1in is
/// "over Kin" when its weight exceeds 25% of the capacity; A1out holds ids whose weights (each
/// as it was cached) total at most 50% of the capacity, oldest forgotten first; reclaiming
/// repeats until the new object fits — with unit weights, once, and only when the cache is
/// full (the paper's "free page slot" case takes no victim). Should the chosen queue be
/// empty, the other one gives the victim.
///
/// Per object: three intrusive lists (``ObjectLists``), O(1) amortized per operation.
package struct TwoQueueSimulator: ReplayPolicy {
    package static let policy = SimulationPolicy.twoQueue
    package let limit: Int
    /// Kin: A1in's share of the cache (25%).
    package let inLimit: Int
    /// Kout: the most the ids in A1out may weigh (50% of the cache).
    package let outLimit: Int
    private var lists: ObjectLists
    private static let a1in: UInt8 = 0, am: UInt8 = 1, a1out: UInt8 = 2

    package init(limit: Int, objectCount: Int) {
        self.limit = limit
        inLimit = limit / 4
        outLimit = limit / 2
        lists = ObjectLists(objectCount: objectCount, listCount: 3)
    }

    @inline(__always) package func contains(_ object: Int32) -> Bool {
        lists.list(of: object) <= TwoQueueSimulator.am
    }

    /// The weight cached (A1in + Am).
    package var residentWeight: Int { lists.weight(ofList: Self.a1in) + lists.weight(ofList: Self.am) }
    /// The weights of A1in, Am and A1out.
    package var segmentWeights: (a1in: Int, am: Int, a1out: Int) {
        (lists.weight(ofList: Self.a1in), lists.weight(ofList: Self.am), lists.weight(ofList: Self.a1out))
    }

    /// - Complexity: O(1) amortized.
    package mutating func access(_ object: Int32, weight: Int) {
        switch lists.list(of: object) {
        case Self.am:
            lists.setWeight(object, weight)
            lists.moveToNewest(object, to: Self.am)
            reclaim(for: 0)
        case Self.a1in:
            // A correlated reference: the FIFO keeps its order.
            lists.setWeight(object, weight)
            reclaim(for: 0)
        case Self.a1out:
            lists.remove(object)
            reclaim(for: weight)
            lists.pushNewest(object, to: Self.am, weight: weight)
        default:
            reclaim(for: weight)
            lists.pushNewest(object, to: Self.a1in, weight: weight)
        }
    }

    /// The paper's `reclaimfor`, repeated until `weight` more fits.
    @inline(__always)
    private mutating func reclaim(for weight: Int) {
        while residentWeight + weight > limit {
            let probation = lists.count(ofList: Self.a1in) > 0
                && (lists.weight(ofList: Self.a1in) > inLimit || lists.count(ofList: Self.am) == 0)
            if probation {
                lists.moveToNewest(lists.oldest(Self.a1in), to: Self.a1out)
                while lists.weight(ofList: Self.a1out) > outLimit {
                    lists.remove(lists.oldest(Self.a1out))
                }
            } else {
                lists.remove(lists.oldest(Self.am))
            }
        }
    }

    package mutating func remove(_ object: Int32) {
        lists.remove(object)
    }

    package mutating func removeAll() {
        lists.removeAll()
    }

    /// The lists (links, tags, counts, weights; no object in two); A1in + Am within the
    /// capacity; A1out within Kout.
    package func checkInvariants() {
        lists.checkInvariants(names: ["A1in", "Am", "A1out"])
        precondition(residentWeight <= limit, "A1in + Am = \(residentWeight) exceeds the capacity \(limit)")
        precondition(lists.weight(ofList: Self.a1out) <= outLimit,
                     "A1out's ids weigh \(lists.weight(ofList: Self.a1out)), over Kout = \(outLimit)")
    }
}
