/// What sizes the window of a ``WindowTinyLFU``: one value per ``WindowAdaptation`` mode, holding
/// only what that mode needs (nothing, a hill climber, a climber and a shadow LRU, or the
/// mini-simulations).
///
/// The policy reports what happens — hits, misses, and every request, update and removal of a
/// key the controller samples — and after each operation asks for ``pendingMove``, the budget to
/// move into the window (negative: out of it). The policy moves what its entries allow and hands
/// back the rest (``carry(rest:moved:)``); deciding and moving stay apart, so a new way of sizing
/// the window is a new ``Strategy`` case and leaves eviction and admission alone.
///
/// Hot path: the sampling test reads ``sampling`` (one word) and the climber-only calls test
/// ``climbs`` before touching the strategy, so the default mode costs two loads per request
/// besides the sampled one in 64. The strategy is an enum with payloads, mutated in place (no copy
/// of the shadow's or the mini-simulations' arrays, no existential box): see the note on
/// `Strategy`'s mutations for why they use `if case` and not `switch`.
struct WindowController: Sendable {
    /// The models a window can be sized by, one per ``WindowAdaptation`` mode.
    enum Strategy: Sendable {
        /// ``WindowAdaptation/fixed``: nothing moves.
        case fixed
        /// ``WindowAdaptation/hillClimbing`` and ``WindowAdaptation/guardedHillClimbing`` (the
        /// climber's mode says which).
        case climber(WindowClimber)
        /// ``WindowAdaptation/shadowGuided``: the guarded climber, pushed towards LRU whenever a
        /// sampled shadow LRU clearly beats the policy.
        case shadowGuided(WindowClimber, LRUShadow)
        /// ``WindowAdaptation/miniSimulation``: the window follows the best sampled candidate.
        case miniSimulation(WindowMiniSimulation)
        /// ``WindowAdaptation/twoLevel``: the window jumps to the best sampled candidate when the
        /// choice changes, and Caffeine's climber tunes it while a W-TinyLFU candidate stays chosen.
        case twoLevel(WindowMiniSimulation, WindowClimber)
    }

    /// The signed budget (weight units) still to move into the window; negative moves it out.
    var pendingMove = 0
    /// One key in this many is replayed by the strategy's sampled model (0: none). Kept outside
    /// the strategy so that the test on every request reads one word.
    let sampling: UInt32
    /// Whether the strategy counts hits and misses and decides at the end of a sample (the
    /// climbing modes).
    let climbs: Bool
    /// Whether the window may grow into probation's budget too, up to (nearly) the whole cache —
    /// LRU — rather than stop at protected's, as Caffeine's does.
    let windowMayTakeProbation: Bool
    /// Whether the policy is laid out as the candidate it follows after every move (protected
    /// takes its share of the main space again) and a rest too small to move one entry is
    /// dropped: the mini-simulations set a fresh target every period.
    let followsCandidates: Bool
    /// When the window shrinks, an entry it gives back goes to protected (while protected has
    /// room) if the sketch counts it at least this often, to probation otherwise; 0: every entry
    /// goes to probation. The modes that follow candidates set ``promotionFrequency``; a `var` so
    /// that tests can compare a policy without it.
    var promotionOnShrink: Int
    /// The weight bound of the policy whose window this sizes.
    let maximumWeight: Int
    private(set) var strategy: Strategy

    /// The controller of a policy with `configuration`.
    init(configuration: WindowTinyLFU.Configuration) {
        let maximum = configuration.maximumWeight
        // Byte-weighted caches sample as if entries weighed 512 bytes (small states), so that a
        // sampled model stays near 512 entries and sees a few requests in a hundred, not all.
        let sampledEntries = configuration.expectedEntries ?? Swift.max(1, maximum / LRUShadow.assumedEntryWeight)
        maximumWeight = maximum
        switch configuration.adaptation {
        case .fixed:
            strategy = .fixed
            sampling = 0
        case .hillClimbing, .guardedHillClimbing:
            strategy = .climber(WindowClimber(mode: configuration.adaptation, maximum: maximum))
            sampling = 0
        case .shadowGuided:
            let shadow = LRUShadow(maximumWeight: maximum, expectedEntries: sampledEntries)
            strategy = .shadowGuided(WindowClimber(mode: .shadowGuided, maximum: maximum), shadow)
            sampling = shadow.sampling
        case .miniSimulation, .twoLevel:
            let simulation = WindowMiniSimulation(
                maximumWeight: maximum, expectedEntries: sampledEntries,
                minimumSampling: configuration.expectedEntries == nil ? WindowMiniSimulation.minimumByteWeightedSampling : 1,
                seed: configuration.seed)
            strategy = configuration.adaptation == .twoLevel
                ? .twoLevel(simulation, WindowClimber(mode: .hillClimbing, maximum: maximum))
                : .miniSimulation(simulation)
            sampling = simulation.sampling
        }
        climbs = configuration.adaptation.isClimbing
        windowMayTakeProbation = [.shadowGuided, .miniSimulation, .twoLevel].contains(configuration.adaptation)
        followsCandidates = configuration.adaptation == .miniSimulation || configuration.adaptation == .twoLevel
        promotionOnShrink = followsCandidates ? WindowController.promotionFrequency : 0
    }

    /// The sketch count from which an entry leaving a shrinking window goes to protected, in
    /// the modes that follow candidates. An entry seen this often would have been hit in
    /// probation and promoted had the window been small all along; without this, protected —
    /// emptied by an excursion towards LRU, whose protected budget is 0 — takes a whole turnover
    /// of a large cache to fill again (`docs/hit-rate.md`).
    static let promotionFrequency = 3

    // MARK: - What the policy reports

    /// Whether the strategy replays the key with `hashCode` (``LRUShadow/isSampled(_:sampling:)``).
    @inline(__always) func samples(_ hashCode: UInt32) -> Bool {
        sampling != 0 && LRUShadow.isSampled(hashCode, sampling: sampling)
    }

    /// A request of a sampled key: a hit of the policy, or a new entry after a miss (a miss nobody
    /// stores — no such object — is not replayed). May set ``pendingMove``.
    mutating func sampledRequest(_ key: CacheKey, hashCode: UInt32, weight: Int, policyHit: Bool, windowMaximum: Int) {
        strategy.sampledRequest(key, hashCode: hashCode, weight: weight, policyHit: policyHit,
                                windowMaximum: windowMaximum, maximumWeight: maximumWeight, pendingMove: &pendingMove)
    }

    /// A sampled key stored again without a request (a newer state), with its new weight.
    mutating func sampledUpdate(_ key: CacheKey, hashCode: UInt32, weight: Int) {
        strategy.sampledUpdate(key, hashCode: hashCode, weight: weight)
    }

    /// A sampled key removed from the cache (an invalidation).
    mutating func sampledRemoval(_ key: CacheKey, hashCode: UInt32) {
        strategy.sampledRemoval(key, hashCode: hashCode)
    }

    /// The policy forgot every entry; what was learnt about the workload stays.
    mutating func removeAll() { strategy.removeAll() }

    /// A hit, in the window or in the main space (for the climber's sample).
    @inline(__always) mutating func recordHit(inWindow: Bool) {
        if climbs { strategy.recordHit(inWindow: inWindow) }
    }

    /// A request that found nothing (for the climber's sample).
    @inline(__always) mutating func recordMiss() {
        if climbs { strategy.recordMiss() }
    }

    /// The end of an operation: a climber whose sample of `sampleSize` requests is complete
    /// decides its next move (``pendingMove``).
    @inline(__always) mutating func endOperation(sampleSize: Int, windowMaximum: Int) {
        if climbs { strategy.endOperation(sampleSize: sampleSize, windowMaximum: windowMaximum, pendingMove: &pendingMove) }
    }

    /// What is left of a move after the policy moved what it could (`moved`: whether anything
    /// moved): carried to the next operation, except that in ``followsCandidates`` mode a rest
    /// too small to move one entry is dropped rather than retried on every request.
    @inline(__always) func carry(rest: Int, moved: Bool) -> Int {
        followsCandidates && !moved ? 0 : rest
    }

    /// Traps if the sampled model's invariants fail.
    func checkInvariants() {
        precondition(promotionOnShrink >= 0, "a sketch count")
        precondition(promotionOnShrink == 0 || followsCandidates, "only a policy laid out as its candidate promotes on a shrink")
        switch strategy {
        case .fixed, .climber:
            precondition(sampling == 0, "a strategy without a sampled model samples nothing")
        case .shadowGuided(_, let shadow):
            shadow.checkInvariants()
            precondition(sampling == shadow.sampling, "the sampling test follows the shadow's")
        case .miniSimulation(let simulation), .twoLevel(let simulation, _):
            simulation.checkInvariants()
            precondition(sampling == simulation.sampling, "the sampling test follows the mini-simulations'")
        }
    }
}

extension WindowController.Strategy {
    // Each mutation takes the payload out with `if case`, sets `self` to `.fixed` so that the
    // payload's arrays are referenced once (a mini-simulation holds whole sample caches: with a
    // second reference, every sampled request would copy them), changes it in place and puts it
    // back; a mode without a payload to change matches no case and touches nothing. Not a
    // `switch`: its subject (consumed or not) keeps a second reference to the payload until the
    // switch ends, in optimized builds too (`WindowControllerTests` checks the uniqueness).

    mutating func sampledRequest(_ key: CacheKey, hashCode: UInt32, weight: Int, policyHit: Bool,
                                 windowMaximum: Int, maximumWeight: Int, pendingMove: inout Int) {
        if case .shadowGuided(var climber, var shadow) = self {
            self = .fixed
            shadow.request(hashCode, weight: weight, policyHit: policyHit)
            if shadow.requests >= LRUShadow.period { Self.consult(&shadow, steering: &climber, pendingMove: &pendingMove) }
            self = .shadowGuided(climber, shadow)
        } else if case .miniSimulation(var simulation) = self {
            self = .fixed
            if simulation.request(key, hashCode: hashCode, weight: weight) {
                let fraction = simulation.decide()
                let target = fraction >= 1 ? maximumWeight : Swift.max(1, Int(fraction * Double(maximumWeight)))
                pendingMove = target - windowMaximum
            }
            self = .miniSimulation(simulation)
        } else if case .twoLevel(var simulation, var climber) = self {
            self = .fixed
            if simulation.request(key, hashCode: hashCode, weight: weight) {
                let before = simulation.chosen
                let fraction = simulation.decide()
                // A new choice (or LRU, which has one size) sets the window; the climber then
                // starts afresh from there. Otherwise the climber keeps tuning the window.
                if simulation.chosen != before || simulation.choosesLRU {
                    let target = fraction >= 1 ? maximumWeight : Swift.max(1, Int(fraction * Double(maximumWeight)))
                    pendingMove = target - windowMaximum
                    if simulation.chosen != before { climber = WindowClimber(mode: .hillClimbing, maximum: maximumWeight) }
                }
            }
            self = .twoLevel(simulation, climber)
        }
    }

    /// Every ``LRUShadow/period`` sampled requests: when the shadow LRU hit clearly more of them
    /// than the policy did (by 1% of the requests), the window grows now — by twice the lead, up
    /// to the whole cache — and the hill climber keeps going that way. The period is much shorter
    /// than the climber's sample of ten times the cache, so a change of working set is answered
    /// while it lasts. The climber alone shrinks the window again.
    private static func consult(_ shadow: inout LRUShadow, steering climber: inout WindowClimber, pendingMove: inout Int) {
        let requests = shadow.requests
        let lead = shadow.shadowHits - shadow.policyHits
        if lead >= Swift.max(3, requests / 100) {
            climber.moveWindow(fraction: Swift.min(1, 2 * Double(lead) / Double(requests)), pendingMove: &pendingMove)
        }
        shadow.resetCounts()
    }

    mutating func sampledUpdate(_ key: CacheKey, hashCode: UInt32, weight: Int) {
        updateShadow { $0.update(hashCode, weight: weight) }
        updateSimulation { $0.update(key, hashCode: hashCode, weight: weight) }
    }

    mutating func sampledRemoval(_ key: CacheKey, hashCode: UInt32) {
        updateShadow { $0.remove(hashCode) }
        updateSimulation { $0.remove(key, hashCode: hashCode) }
    }

    mutating func removeAll() {
        updateShadow { $0.removeAll() }
        updateSimulation { $0.removeAll() }
    }

    @inline(__always) mutating func recordHit(inWindow: Bool) {
        updateClimber { $0.recordHit(inWindow: inWindow) }
    }

    @inline(__always) mutating func recordMiss() {
        updateClimber { $0.recordMiss() }
    }

    mutating func endOperation(sampleSize: Int, windowMaximum: Int, pendingMove: inout Int) {
        if case .twoLevel = self {
            // While LRU is chosen the window stays the whole cache: the climber's samples are
            // taken (and its state follows the hit rate) but its moves are not made.
            updateTwoLevel { simulation, climber in
                var move = pendingMove
                climber.endOperation(sampleSize: sampleSize, windowMaximum: windowMaximum, pendingMove: &move)
                if !simulation.choosesLRU { pendingMove = move }
            }
        } else {
            updateClimber { $0.endOperation(sampleSize: sampleSize, windowMaximum: windowMaximum, pendingMove: &pendingMove) }
        }
    }

    // MARK: The payloads, changed in place (see above)

    /// Runs `body` on the hill climber of a mode that has one (`climber`, `shadowGuided`,
    /// `twoLevel`); the other modes are left alone.
    @inline(__always) private mutating func updateClimber(_ body: (inout WindowClimber) -> Void) {
        if case .climber(var climber) = self {
            self = .fixed
            body(&climber)
            self = .climber(climber)
        } else if case .shadowGuided(var climber, let shadow) = self {
            self = .fixed
            body(&climber)
            self = .shadowGuided(climber, shadow)
        } else {
            updateTwoLevel { _, climber in body(&climber) }
        }
    }

    /// Runs `body` on the mini-simulations of a mode that has them (`miniSimulation`, `twoLevel`).
    @inline(__always) private mutating func updateSimulation(_ body: (inout WindowMiniSimulation) -> Void) {
        if case .miniSimulation(var simulation) = self {
            self = .fixed
            body(&simulation)
            self = .miniSimulation(simulation)
        } else {
            updateTwoLevel { simulation, _ in body(&simulation) }
        }
    }

    /// Runs `body` on both payloads of `twoLevel`.
    @inline(__always) private mutating func updateTwoLevel(_ body: (inout WindowMiniSimulation, inout WindowClimber) -> Void) {
        if case .twoLevel(var simulation, var climber) = self {
            self = .fixed
            body(&simulation, &climber)
            self = .twoLevel(simulation, climber)
        }
    }

    /// Runs `body` on the shadow LRU of `shadowGuided`.
    @inline(__always) private mutating func updateShadow(_ body: (inout LRUShadow) -> Void) {
        if case .shadowGuided(let climber, var shadow) = self {
            self = .fixed
            body(&shadow)
            self = .shadowGuided(climber, shadow)
        }
    }
}
