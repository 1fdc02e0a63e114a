/// How the window of a ``WindowTinyLFU`` policy changes size while the cache runs.
public enum WindowAdaptation: String, Sendable, CaseIterable, Codable {
    /// The window keeps its initial fraction (Caffeine's simulator `WindowTinyLfu`).
    case fixed
    /// Caffeine 2.7–3.2's hill climber exactly: it follows the sign of the change in hit rate,
    /// which can drift to the smallest window on recency-heavy traces. Kept for comparison.
    case hillClimbing
    /// The default before `miniSimulation`: the hill climber, and when the hit rate gives no
    /// direction (a flat sample) it follows hit density — window hits per byte against main
    /// hits per byte — and grows the window when neither region earns hits. On recency-heavy
    /// traces the window therefore grows towards LRU behaviour instead of collapsing below it.
    case guardedHillClimbing
    /// The guarded climber, checked against plain LRU: a sampled shadow LRU (`LRUShadow`)
    /// replays one key in 2ⁿ, and whenever LRU hit clearly more of 512 sampled requests than the
    /// policy did, the window grows at once (by twice the lead, up to the whole cache) — towards
    /// LRU, which is what a window of (nearly) the whole cache is; in this mode the window may
    /// also take probation's budget. Built to stop the losses to LRU on recency-shaped traces
    /// and phase changes (issue #20); measured with `statecache bench hitrate`. Superseded by
    /// `miniSimulation`, better on average and in the worst cell; kept for comparison.
    case shadowGuided
    /// Sampled mini-simulations (`WindowMiniSimulation`): small copies of the policy with
    /// windows of 1%, 20% and 60% of the cache, and plain LRU, replay one key in 2ⁿ; every
    /// period the real window takes the size of the candidate with the most (slowly decaying)
    /// hits, so the policy becomes LRU where LRU wins and stays W-TinyLFU where frequency does.
    /// The default: the best hit rate of all modes (`statecache bench hitrate`,
    /// `docs/hit-rate.md`) — never more than half a point below LRU on the traces of
    /// Caffeine's simulator, a point above Caffeine's climber on average.
    case miniSimulation
    /// Two levels: the mini-simulations choose what kind of policy the workload wants (LRU, or
    /// W-TinyLFU with a 1%, 20% or 60% window) and the window jumps to that candidate's size
    /// when the choice changes; while a W-TinyLFU candidate stays chosen, Caffeine's hill climber
    /// (`hillClimbing`) tunes the window on the real policy's own hit rate. The sampled copies
    /// tell kinds of workload apart, but cannot resolve the small differences between windows
    /// in large caches that the whole stream shows the climber (issue #28, `docs/hit-rate.md`).
    case twoLevel

    /// Whether flat samples are decided by hit density and the step has a floor.
    var isGuarded: Bool { self == .guardedHillClimbing || self == .shadowGuided }
    /// Whether a hill climber sizes the window (``WindowController/climbs``).
    var isClimbing: Bool { self != .fixed && self != .miniSimulation }
}
