/// A sampled shadow LRU: what plain LRU would hit, measured on a fixed sample of the keys, so
/// that a W-TinyLFU policy can tell when recency alone would do better than it does.
///
/// W-TinyLFU wins on frequency-skewed workloads and can lose badly where recency is all that
/// matters (a recency chain, a sudden change of working set): its admission filter keeps the
/// old, well-counted entries while LRU simply follows the stream. The hill climber finds the
/// better window size only slowly there, from hit-rate differences between samples. The shadow
/// answers the question directly, in the spirit of the mini-simulations of Einziger, Eytan,
/// Friedman and Manes ("Adaptive Software Cache Management", Middleware 2018): it replays the
/// requests of one key in `sampling` (by hash) through an LRU of `1/sampling` of the capacity
/// and counts its hits, beside the policy's own hits on the same requests.
///
/// Keys are their 32-bit sketch hash codes (a collision merges two keys: noise, not error —
/// the shadow only steers the window). Nodes live in arrays linked by index; the table maps a
/// hash code to its node. O(1) per sampled request; nothing for the others.
struct LRUShadow: Sendable {
    /// Sampled requests per decision (``WindowController/Strategy``'s `consult`).
    static let period = 512
    /// For byte-weighted policies, the entry weight assumed to choose the sampling.
    static let assumedEntryWeight = 512
    /// One key in `sampling` is replayed (a power of two).
    let sampling: UInt32
    /// The shadow's weight bound: the policy's, divided by `sampling`.
    let maximumWeight: Int
    private var weight = 0
    private var positions: [UInt32: Int32] = [:]
    private var keys: [UInt32] = []
    private var weights: [Int] = []
    private var previous: [Int32] = []
    private var next: [Int32] = []
    private var free: [Int32] = []
    /// Least recent first.
    private var head: Int32 = -1
    private var tail: Int32 = -1

    /// Sampled requests of the current period, and the hits LRU and the policy had on them.
    private(set) var requests = 0
    private(set) var shadowHits = 0
    private(set) var policyHits = 0

    /// A shadow for a policy of `maximumWeight` expected to hold about `expectedEntries`:
    /// the sampling keeps about 512 entries in the shadow (all keys for small caches).
    init(maximumWeight: Int, expectedEntries: Int, minimumSampling: UInt32 = 1) {
        var sampling: UInt32 = minimumSampling
        while sampling < 64 && expectedEntries / Int(sampling * 2) >= 512 { sampling *= 2 }
        self.sampling = sampling
        self.maximumWeight = Swift.max(1, maximumWeight / Int(sampling))
    }

    /// Whether the key with `hashCode` is in the sample.
    @inline(__always) func isSampled(_ hashCode: UInt32) -> Bool {
        LRUShadow.isSampled(hashCode, sampling: sampling)
    }

    /// Whether the key with `hashCode` is in a sample of one key in `sampling` (a power of two):
    /// the rule the shadow and the mini-simulations share.
    @inline(__always) static func isSampled(_ hashCode: UInt32, sampling: UInt32) -> Bool {
        sampling == 1 || (hashCode &* 0x9E37_79B9) >> 26 & (sampling - 1) == 0
    }

    /// A sampled request: `policyHit` says whether the policy had the key; LRU's answer is
    /// counted, and the key becomes the most recent with `weight`.
    mutating func request(_ hashCode: UInt32, weight entryWeight: Int, policyHit: Bool) {
        requests += 1
        if policyHit { policyHits += 1 }
        if let position = positions[hashCode] {
            shadowHits += 1
            touch(position, weight: entryWeight)
        } else {
            insert(hashCode, weight: entryWeight)
        }
    }

    /// A sampled key that was replaced or stored without a request: most recent, new weight.
    mutating func update(_ hashCode: UInt32, weight entryWeight: Int) {
        if let position = positions[hashCode] { touch(position, weight: entryWeight) } else { insert(hashCode, weight: entryWeight) }
    }

    /// A sampled key that was removed (an invalidation).
    mutating func remove(_ hashCode: UInt32) {
        guard let position = positions.removeValue(forKey: hashCode) else { return }
        unlink(position)
        weight -= weights[Int(position)]
        free.append(position)
    }

    /// Forgets everything (the policy was cleared).
    mutating func removeAll() {
        self = LRUShadow(sampling: sampling, maximumWeight: maximumWeight)
    }

    /// Starts a new period of counts.
    mutating func resetCounts() {
        requests = 0
        shadowHits = 0
        policyHits = 0
    }

    private init(sampling: UInt32, maximumWeight: Int) {
        self.sampling = sampling
        self.maximumWeight = maximumWeight
    }

    private mutating func touch(_ position: Int32, weight entryWeight: Int) {
        weight += entryWeight - weights[Int(position)]
        weights[Int(position)] = entryWeight
        unlink(position)
        pushTail(position)
        evict()
    }

    private mutating func insert(_ hashCode: UInt32, weight entryWeight: Int) {
        guard entryWeight <= maximumWeight else { return }
        let position: Int32
        if let reused = free.popLast() {
            position = reused
            keys[Int(position)] = hashCode
            weights[Int(position)] = entryWeight
        } else {
            position = Int32(keys.count)
            keys.append(hashCode)
            weights.append(entryWeight)
            previous.append(-1)
            next.append(-1)
        }
        positions[hashCode] = position
        weight += entryWeight
        pushTail(position)
        evict()
    }

    private mutating func evict() {
        while weight > maximumWeight, head >= 0 {
            let victim = head
            unlink(victim)
            positions.removeValue(forKey: keys[Int(victim)])
            weight -= weights[Int(victim)]
            free.append(victim)
        }
    }

    private mutating func pushTail(_ position: Int32) {
        previous[Int(position)] = tail
        next[Int(position)] = -1
        if tail >= 0 { next[Int(tail)] = position } else { head = position }
        tail = position
    }

    private mutating func unlink(_ position: Int32) {
        let before = previous[Int(position)], after = next[Int(position)]
        if before >= 0 { next[Int(before)] = after } else { head = after }
        if after >= 0 { previous[Int(after)] = before } else { tail = before }
        previous[Int(position)] = -1
        next[Int(position)] = -1
    }

    /// Traps if the list, the table and the weight disagree.
    func checkInvariants() {
        var seen = 0, total = 0, position = head, last: Int32 = -1
        while position >= 0 {
            precondition(previous[Int(position)] == last, "shadow list broken at \(position)")
            precondition(positions[keys[Int(position)]] == position, "shadow table disagrees at \(position)")
            total += weights[Int(position)]
            seen += 1
            last = position
            position = next[Int(position)]
        }
        precondition(last == tail, "shadow tail is not the last node")
        precondition(seen == positions.count, "shadow list holds \(seen) nodes, table \(positions.count)")
        precondition(total == weight, "shadow weight \(weight), nodes weigh \(total)")
        precondition(weight <= maximumWeight, "shadow over its bound")
    }
}
