/// Small sampled copies of the policy, each with a different window, run beside the real one so
/// that the real window can be set to whichever size is doing best on the current workload
/// (``WindowAdaptation/miniSimulation``).
///
/// This is the mini-simulation scheme of Einziger, Eytan, Friedman and Manes ("Adaptive Software
/// Cache Management", Middleware 2018), with plain LRU as one of the candidates: one key in
/// `sampling` (chosen by hash, as ``LRUShadow`` chooses) is replayed through W-TinyLFU
/// policies of `1/sampling` of the capacity with fixed windows of 1%, 20% and 60%, and through a
/// shadow LRU — which is what a window of the whole cache is. Every ``period`` sampled requests
/// each candidate's hits are added to a score that loses 2% every period, and the real window
/// is set to the best candidate's size. A hill climber compares one sample with the next and
/// can only walk, so on recency-shaped traces it can settle far below LRU; the mini-simulations
/// compare every size on the same requests, and the policy becomes LRU where LRU is what wins.
///
/// Cost: one lookup per candidate per *sampled* request (the sampling keeps each candidate near
/// 512 entries, at most one request in 64 for large caches, and always one in 64 for
/// byte-weighted ones), nothing for the others.
struct WindowMiniSimulation: Sendable {
    /// The window fractions of the W-TinyLFU candidates; LRU (the whole cache) is the last candidate.
    /// Three measured as well as six (1%, 5%, 20%, 40%, 60%, 80%: within 0.1 point on
    /// `statecache bench hitrate`) at half the work.
    static let windowFractions: [Double] = [0.01, 0.2, 0.6]
    /// Byte-weighted policies (the running cache's shards, `cache-simul` on sized traces) replay
    /// at most one key in 64 whatever their size, to bound the work a request adds (one in 16
    /// cost the running cache a fifth of its single-thread throughput, one in 64 under a tenth,
    /// and measured the same hit rates); policies counted in entries (research traces) may
    /// replay every key of a small cache.
    static let minimumByteWeightedSampling: UInt32 = 64
    /// Sampled requests between two decisions.
    static let minimumPeriod = 512
    /// How much of a candidate's score survives a period: 0.98 remembers about fifty periods,
    /// so the choice follows the workload's lasting shape, not one period's luck (0.97 and 0.99
    /// measure the same; 0.5 chases phases and loses on alternating traces such as `zigzag`).
    static let scoreDecay = 0.98
    /// Sampled requests between two decisions: ``minimumPeriod``, or one candidate's capacity
    /// in entries when that is more, so that every period can turn the candidates over.
    let period: Int

    /// The W-TinyLFU candidates, in the order of ``windowFractions``.
    private(set) var candidates: [WindowTinyLFU]
    /// The LRU candidate; it also decides which keys are sampled.
    private var lru: LRUShadow
    /// Hits of each candidate (LRU last) in the current period.
    private var hitsInPeriod: [Int]
    /// Decayed hits of each candidate (LRU last).
    private(set) var scores: [Double]
    private(set) var requestsInPeriod = 0
    /// The candidate the real window follows (LRU last); starts at Caffeine's 1%.
    private(set) var chosen = 0

    /// Mini-simulations for a policy of `maximumWeight` expected to hold about `expectedEntries`.
    init(maximumWeight: Int, expectedEntries: Int, minimumSampling: UInt32, seed: UInt64) {
        lru = LRUShadow(maximumWeight: maximumWeight, expectedEntries: expectedEntries, minimumSampling: minimumSampling)
        let sampling = Int(lru.sampling)
        candidates = WindowMiniSimulation.windowFractions.map { fraction in
            WindowTinyLFU(configuration: .init(maximumWeight: Swift.max(1, maximumWeight / sampling),
                                               initialWindowFraction: fraction, adaptation: .fixed,
                                               expectedEntries: Swift.max(1, expectedEntries / sampling), seed: seed))
        }
        period = Swift.max(WindowMiniSimulation.minimumPeriod, expectedEntries / sampling)
        hitsInPeriod = Array(repeating: 0, count: candidates.count + 1)
        scores = Array(repeating: 0, count: candidates.count + 1)
    }

    /// Whether the chosen candidate is LRU (the last).
    var choosesLRU: Bool { chosen == candidates.count }

    /// The number of candidates, LRU included.
    var candidateCount: Int { candidates.count + 1 }

    /// The fraction of the cache the window of candidate `index` holds (LRU: 1).
    func windowFraction(ofCandidate index: Int) -> Double {
        index < candidates.count ? WindowMiniSimulation.windowFractions[index] : 1
    }

    /// One key in this many is replayed (``LRUShadow/isSampled(_:)`` chooses which).
    var sampling: UInt32 { lru.sampling }

    /// A request of a sampled key, with the weight its state has: every candidate looks it up
    /// and stores it after a miss. Returns true when a period ended (time to ``decide()``).
    mutating func request(_ key: CacheKey, hashCode: UInt32, weight: Int) -> Bool {
        for index in candidates.indices {
            if candidates[index].get(key) != nil {
                hitsInPeriod[index] += 1
            } else {
                candidates[index].set(key, ObjectState(state: [], tid: .zero), weight: weight)
            }
        }
        let lruHitsBefore = lru.shadowHits
        lru.request(hashCode, weight: weight, policyHit: false)
        if lru.shadowHits > lruHitsBefore { hitsInPeriod[candidates.count] += 1 }
        requestsInPeriod += 1
        return requestsInPeriod >= period
    }

    /// A sampled key stored again without a request (a newer state): candidates that hold it
    /// take the new weight.
    mutating func update(_ key: CacheKey, hashCode: UInt32, weight: Int) {
        for index in candidates.indices where candidates[index].contains(key) {
            candidates[index].set(key, ObjectState(state: [], tid: .zero), weight: weight)
        }
        lru.update(hashCode, weight: weight)
    }

    /// A sampled key removed from the cache (an invalidation).
    mutating func remove(_ key: CacheKey, hashCode: UInt32) {
        for index in candidates.indices { candidates[index].remove(key) }
        lru.remove(hashCode)
    }

    /// Forgets every entry (the policy was cleared); the scores stay.
    mutating func removeAll() {
        for index in candidates.indices { candidates[index].removeAll() }
        lru.removeAll()
    }

    /// Ends the period: adds its hits to the decayed scores and chooses the best candidate;
    /// a tie keeps the current choice. Returns the chosen candidate's window fraction.
    mutating func decide() -> Double {
        for index in scores.indices {
            scores[index] = scores[index] * WindowMiniSimulation.scoreDecay + Double(hitsInPeriod[index])
            hitsInPeriod[index] = 0
        }
        requestsInPeriod = 0
        lru.resetCounts()
        var best = chosen
        for index in scores.indices where scores[index] > scores[best] { best = index }
        chosen = best
        return windowFraction(ofCandidate: best)
    }

    /// Traps if a candidate's or the shadow's invariants fail.
    func checkInvariants() {
        for candidate in candidates { candidate.checkInvariants() }
        lru.checkInvariants()
        precondition(hitsInPeriod.count == candidateCount && scores.count == candidateCount, "one score per candidate")
        precondition(chosen >= 0 && chosen < candidateCount, "the chosen candidate exists")
    }
}
