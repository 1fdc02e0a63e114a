/// LIRS, Low Inter-reference Recency Set replacement (Jiang & Zhang, "LIRS: An Efficient Low
/// Inter-reference Recency Set Replacement Policy to Improve Buffer Cache Performance",
/// SIGMETRICS 2002), at one size: the policy that ranks blocks by reuse distance rather than
/// recency, and so holds on to a loop or a hot set that LRU would flush.
///
/// ```swift
/// let result = LIRSSimulator.simulate(stream, capacity: .entries(512), settings: SimulationSettings())
/// ```
///
/// **The algorithm.** Resident blocks are LIR (low inter-reference recency: reused soon after
/// their previous use) or HIR. Stack S holds, in recency order, the LIR blocks and every HIR
/// block — resident or not — more recent than the least recent LIR block; queue Q holds the
/// resident HIR blocks, the only eviction candidates, in FIFO order. S's bottom is always LIR
/// (*stack pruning* removes the HIR blocks that sink below it: their recency is then larger
/// than any LIR block's, so they could not become LIR). A hit on an LIR block moves it to S's
/// top. An access to an HIR block that is in S (its reuse distance beats the bottom LIR
/// block's) makes it LIR, and the bottom LIR block becomes a resident HIR block at Q's end;
/// an HIR block not in S stays HIR, goes to S's top and Q's end. A miss first evicts Q's
/// front (it stays in S as a non-resident HIR block if it is there); while the LIR set is not
/// full, a missed block becomes LIR directly. Drops (invalidations) can leave the LIR set
/// short after warm-up; then a hit on a resident HIR block also makes it LIR, as a miss would.
///
/// **Choices** (the paper leaves them to the implementer):
/// - *HIR resident share: 1% of the cache* (`L_hirs`, at least one weight unit), the value the
///   paper's experiments use; LIR blocks get the rest (`L_lirs`).
/// - *Non-resident HIR entries are bounded:* they weigh (each at its last resident weight) at
///   most twice the capacity. Past it, the entry that became non-resident first is forgotten
///   (leaves S). Without a bound, S grows with every distinct block of a scan; twice the cache
///   keeps S's memory proportional to the cache while remembering reuse distances up to about
///   three caches' worth of distinct blocks, which is where LIRS's advantage lies.
///
/// **Byte capacities** (the standard adaptation): `L_lirs`, `L_hirs` and the cache are
/// weights; a missed block becomes LIR while the LIR weight plus its own stays within
/// `L_lirs`; promotions demote bottom LIR blocks until the LIR weight fits `L_lirs` again;
/// misses evict Q's front until the new block fits, and should Q run dry (a block heavier
/// than `L_hirs`), the bottom LIR block is demoted into Q first. With unit weights this is
/// the paper's algorithm.
///
/// Per object: S's links in one ``ObjectLists``, Q's and the non-resident FIFO's in another
/// (an object is in at most one of those), O(1) amortized per operation (pruning removes each
/// entry once).
package struct LIRSSimulator: ReplayPolicy {
    package static let policy = SimulationPolicy.lirs
    package let limit: Int
    /// `L_hirs`: the resident HIR blocks' share (1% of the cache, at least 1).
    package let hirLimit: Int
    /// `L_lirs`: the LIR blocks' share (the rest).
    package var lirLimit: Int { limit - hirLimit }
    /// The most the non-resident HIR entries may weigh (twice the cache).
    package var nonResidentLimit: Int { 2 * limit }
    /// The weight of the LIR blocks.
    package private(set) var lirWeight = 0

    /// Stack S (list 0): LIR blocks and recent HIR blocks, newest = top.
    private var stack: ObjectLists
    /// Queue Q (list ``resident``) and the non-resident HIR entries in the order they left the
    /// cache (list ``nonResident``).
    private var queues: ObjectLists
    private static let s: UInt8 = 0
    private static let resident: UInt8 = 0, nonResident: UInt8 = 1

    package init(limit: Int, objectCount: Int) {
        self.limit = limit
        hirLimit = min(limit, max(1, limit / 100))
        stack = ObjectLists(objectCount: objectCount, listCount: 1)
        queues = ObjectLists(objectCount: objectCount, listCount: 2)
    }

    /// Whether `object` is an LIR block (in S and in neither queue).
    @inline(__always) package func isLIR(_ object: Int32) -> Bool {
        stack.list(of: object) == Self.s && queues.list(of: object) == ObjectLists.none
    }

    @inline(__always) package func contains(_ object: Int32) -> Bool {
        queues.list(of: object) == Self.resident || isLIR(object)
    }

    /// The weight cached (LIR blocks and resident HIR blocks).
    package var residentWeight: Int { lirWeight + queues.weight(ofList: Self.resident) }
    /// The number of entries in S (resident or not), in Q, and non-resident.
    package var sizes: (stack: Int, queue: Int, nonResident: Int) {
        (stack.count(ofList: Self.s), queues.count(ofList: Self.resident), queues.count(ofList: Self.nonResident))
    }

    /// - Complexity: O(1) amortized.
    package mutating func access(_ object: Int32, weight: Int) {
        if isLIR(object) {
            // An LIR hit: to S's top (pruning if it was the bottom).
            lirWeight += weight - stack.weight(of: object)
            stack.setWeight(object, weight)
            stack.moveToNewest(object, to: Self.s)
            prune()
            demoteWhileLIROverflows(keeping: object)
            makeRoom(for: 0)
        } else if queues.list(of: object) == Self.resident {
            // A hit on a resident HIR block.
            queues.setWeight(object, weight)
            if stack.list(of: object) == Self.s || lirWeight + weight <= lirLimit {
                // Its reuse distance beats the bottom LIR block's (or the LIR set has room,
                // after drops): it becomes LIR.
                queues.remove(object)
                if stack.list(of: object) == Self.s {
                    stack.setWeight(object, weight)
                    stack.moveToNewest(object, to: Self.s)
                } else {
                    stack.pushNewest(object, to: Self.s, weight: weight)
                }
                lirWeight += weight
                demoteWhileLIROverflows(keeping: object)
            } else {
                stack.pushNewest(object, to: Self.s, weight: weight)
                queues.moveToNewest(object, to: Self.resident)
                prune()  // (S has no LIR block when one block outweighs L_lirs)
            }
            makeRoom(for: 0)
        } else {
            // A miss: evict Q's front until it fits, then load the block.
            makeRoom(for: weight)
            if stack.list(of: object) == Self.s {
                // A non-resident HIR block still in S: it becomes LIR.
                queues.remove(object)
                stack.setWeight(object, weight)
                stack.moveToNewest(object, to: Self.s)
                lirWeight += weight
                demoteWhileLIROverflows(keeping: object)
            } else if lirWeight + weight <= lirLimit {
                // The LIR set is not full (warming up, or after drops).
                stack.pushNewest(object, to: Self.s, weight: weight)
                lirWeight += weight
            } else {
                stack.pushNewest(object, to: Self.s, weight: weight)
                queues.pushNewest(object, to: Self.resident, weight: weight)
                prune()
            }
        }
        while queues.weight(ofList: Self.nonResident) > nonResidentLimit {
            let forgotten = queues.oldest(Self.nonResident)
            queues.remove(forgotten)
            stack.remove(forgotten)  // never S's bottom, which is LIR
        }
    }

    /// Removes HIR blocks from S's bottom until an LIR block is there; non-resident ones are
    /// forgotten, resident ones stay in Q.
    @inline(__always)
    private mutating func prune() {
        while true {
            let bottom = stack.oldest(Self.s)
            guard bottom >= 0, !isLIR(bottom) else { return }
            stack.remove(bottom)
            if queues.list(of: bottom) == Self.nonResident { queues.remove(bottom) }
        }
    }

    /// Turns S's bottom (LIR) block into a resident HIR block at Q's end, then prunes.
    @inline(__always)
    private mutating func demoteBottom() {
        let bottom = stack.oldest(Self.s)
        let weight = stack.weight(of: bottom)
        stack.remove(bottom)
        lirWeight -= weight
        queues.pushNewest(bottom, to: Self.resident, weight: weight)
        prune()
    }

    /// Demotes bottom LIR blocks while the LIR set outweighs `L_lirs` (never `object`, the one
    /// just made LIR).
    @inline(__always)
    private mutating func demoteWhileLIROverflows(keeping object: Int32) {
        while lirWeight > lirLimit {
            let bottom = stack.oldest(Self.s)
            guard bottom >= 0, bottom != object else { return }
            demoteBottom()
        }
    }

    /// Evicts Q's front until `weight` more fits (demoting the bottom LIR block when Q is empty).
    @inline(__always)
    private mutating func makeRoom(for weight: Int) {
        while residentWeight + weight > limit {
            let victim = queues.oldest(Self.resident)
            if victim < 0 {
                guard stack.count(ofList: Self.s) > 0 else { return }
                demoteBottom()
                continue
            }
            if stack.list(of: victim) == Self.s {
                queues.moveToNewest(victim, to: Self.nonResident)
            } else {
                queues.remove(victim)
            }
        }
    }

    package mutating func remove(_ object: Int32) {
        if isLIR(object) { lirWeight -= stack.weight(of: object) }
        queues.remove(object)
        stack.remove(object)
        prune()
    }

    package mutating func removeAll() {
        stack.removeAll()
        queues.removeAll()
        lirWeight = 0
    }

    /// The lists; S's bottom is LIR; the LIR blocks weigh ``lirWeight``, within `L_lirs` unless
    /// a single block is LIR; every non-resident entry is in S; the cache and the non-resident
    /// entries stay within their bounds.
    package func checkInvariants() {
        stack.checkInvariants(names: ["S"])
        queues.checkInvariants(names: ["Q", "non-resident HIR"])
        let bottom = stack.oldest(Self.s)
        precondition(bottom < 0 || isLIR(bottom), "S's bottom \(bottom) is not LIR")
        var lir = 0, lirCount = 0
        var object = bottom
        while object >= 0 {
            if isLIR(object) {
                lir += stack.weight(of: object)
                lirCount += 1
            }
            object = stack.newer(than: object)
        }
        precondition(lir == lirWeight, "LIR blocks weigh \(lir), lirWeight says \(lirWeight)")
        precondition(lirWeight <= lirLimit || lirCount == 1, "LIR weight \(lirWeight) over L_lirs \(lirLimit)")
        var nonResident = queues.oldest(Self.nonResident)
        while nonResident >= 0 {
            precondition(stack.list(of: nonResident) == Self.s, "non-resident HIR entry \(nonResident) is not in S")
            nonResident = queues.newer(than: nonResident)
        }
        precondition(residentWeight <= limit, "resident weight \(residentWeight) exceeds the capacity \(limit)")
        precondition(queues.weight(ofList: Self.nonResident) <= nonResidentLimit,
                     "non-resident entries weigh \(queues.weight(ofList: Self.nonResident)), over \(nonResidentLimit)")
    }
}
