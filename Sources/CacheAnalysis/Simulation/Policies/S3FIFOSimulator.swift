/// S3-FIFO, Simple Scalable Static FIFO queues (Yang, Zhang, Qiu, Yue & Vinayak, "FIFO
/// queues are all you need for cache eviction", SOSP 2023), at one size: a recent policy
/// built from FIFOs only, which filters one-hit wonders out quickly ("quick demotion").
///
/// ```swift
/// let result = S3FIFOSimulator.simulate(stream, capacity: .entries(512), settings: SimulationSettings())
/// ```
///
/// **The algorithm** (the paper's Algorithm 1). Three FIFOs: S (small, 10% of the cache), M
/// (main, the rest) and G (ghost ids, as large as M). Each cached object has a 2-bit access
/// counter: a hit adds one (at most 3) and moves nothing. A miss enters M if its id is in G,
/// else S. To make room: when S holds at least its 10%, S's oldest object is inspected — if it
/// was accessed since it entered (counter > 0) it moves to M (evicting from M if M is now
/// over its share) and the next one is inspected, else it leaves the cache and its id joins
/// G; otherwise M's oldest is inspected — a counter above 0 is decremented and the object
/// reinserted at M's new end, a counter of 0 evicts it (no ghost).
///
/// **Promotion rule: counter > 0** ("accessed at least once since insertion"), the rule the
/// paper's prose states and the authors' libCacheSim implementation behind the paper's results
/// applies. A printing of Algorithm 1 reads `t.freq > 1` instead; ``promotionThreshold`` names
/// the choice (2 would be that reading). A promoted object keeps its counter, as in Algorithm 1.
///
/// **Byte capacities** (the standard adaptation of a count-based policy to sizes): S's 10%,
/// M's share and G's size are weights — G holds ids whose weights (each as it was cached)
/// total at most M's share, oldest forgotten first; "S holds its 10%" compares S's weight;
/// eviction repeats until the new object fits (with unit weights, once, when the cache is
/// full). Should the chosen queue be empty, the other one gives the victim.
///
/// Per object: three intrusive FIFOs (``ObjectLists``) and a counter byte, O(1) amortized per
/// operation (each reinsertion spends a counter unit).
package struct S3FIFOSimulator: ReplayPolicy {
    package static let policy = SimulationPolicy.s3fifo
    /// An object leaves S for M when its counter is at least this (1: accessed once since it
    /// entered; Algorithm 1's printed `freq > 1` would be 2).
    package static let promotionThreshold: UInt8 = 1
    /// The counter's ceiling (2 bits).
    package static let maximumFrequency: UInt8 = 3
    package let limit: Int
    /// S's share: 10% of the cache, at least 1.
    package let smallLimit: Int
    /// M's share (the rest), also G's size.
    package var mainLimit: Int { limit - smallLimit }
    private var lists: ObjectLists
    private var frequency: [UInt8]
    private static let small: UInt8 = 0, main: UInt8 = 1, ghost: UInt8 = 2

    package init(limit: Int, objectCount: Int) {
        self.limit = limit
        smallLimit = min(limit, max(1, limit / 10))
        lists = ObjectLists(objectCount: objectCount, listCount: 3)
        frequency = [UInt8](repeating: 0, count: objectCount)
    }

    @inline(__always) package func contains(_ object: Int32) -> Bool {
        lists.list(of: object) <= S3FIFOSimulator.main
    }

    /// The weight cached (S + M).
    package var residentWeight: Int { lists.weight(ofList: Self.small) + lists.weight(ofList: Self.main) }
    /// The weights of S, M and G.
    package var segmentWeights: (small: Int, main: Int, ghost: Int) {
        (lists.weight(ofList: Self.small), lists.weight(ofList: Self.main), lists.weight(ofList: Self.ghost))
    }
    /// `object`'s access counter (0 when not cached).
    package func frequency(of object: Int32) -> Int { Int(frequency[Int(object)]) }

    /// - Complexity: O(1) amortized.
    package mutating func access(_ object: Int32, weight: Int) {
        let o = Int(object)
        switch lists.list(of: object) {
        case Self.small, Self.main:
            lists.setWeight(object, weight)
            frequency[o] = min(frequency[o] + 1, Self.maximumFrequency)
            makeRoom(for: 0)
        case Self.ghost:
            lists.remove(object)
            makeRoom(for: weight)
            frequency[o] = 0
            lists.pushNewest(object, to: Self.main, weight: weight)
        default:
            makeRoom(for: weight)
            frequency[o] = 0
            lists.pushNewest(object, to: Self.small, weight: weight)
        }
    }

    /// Evicts until `weight` more fits.
    @inline(__always)
    private mutating func makeRoom(for weight: Int) {
        while residentWeight + weight > limit {
            if lists.count(ofList: Self.small) > 0
                && (lists.weight(ofList: Self.small) >= smallLimit || lists.count(ofList: Self.main) == 0) {
                evictSmall()
            } else {
                evictMain()
            }
        }
    }

    /// Algorithm 1's EVICTS: promote accessed objects to M until one leaves for G.
    private mutating func evictSmall() {
        while true {
            let tail = lists.oldest(Self.small)
            guard tail >= 0 else { return }
            if frequency[Int(tail)] >= Self.promotionThreshold {
                lists.moveToNewest(tail, to: Self.main)
                if lists.weight(ofList: Self.main) > mainLimit { evictMain() }
            } else {
                lists.moveToNewest(tail, to: Self.ghost)
                frequency[Int(tail)] = 0
                while lists.weight(ofList: Self.ghost) > mainLimit {
                    lists.remove(lists.oldest(Self.ghost))
                }
                return
            }
        }
    }

    /// Algorithm 1's EVICTM: reinsert accessed objects (one counter unit each) until one leaves.
    private mutating func evictMain() {
        while true {
            let tail = lists.oldest(Self.main)
            guard tail >= 0 else { return }
            let t = Int(tail)
            if frequency[t] > 0 {
                frequency[t] -= 1
                lists.moveToNewest(tail, to: Self.main)
            } else {
                lists.remove(tail)
                return
            }
        }
    }

    package mutating func remove(_ object: Int32) {
        lists.remove(object)
        frequency[Int(object)] = 0
    }

    package mutating func removeAll() {
        lists.removeAll()
        for index in frequency.indices { frequency[index] = 0 }
    }

    /// The lists (links, tags, counts, weights; no object in two); S + M within the capacity;
    /// G within M's share; counters within 2 bits and 0 outside the cache.
    package func checkInvariants() {
        lists.checkInvariants(names: ["S", "M", "G"])
        precondition(residentWeight <= limit, "S + M = \(residentWeight) exceeds the capacity \(limit)")
        precondition(lists.weight(ofList: Self.ghost) <= mainLimit,
                     "G's ids weigh \(lists.weight(ofList: Self.ghost)), over M's share \(mainLimit)")
        for (object, count) in frequency.enumerated() {
            precondition(count <= Self.maximumFrequency, "object \(object)'s counter is \(count)")
            precondition(count == 0 || contains(Int32(object)), "object \(object) is not cached but its counter is \(count)")
        }
    }
}
