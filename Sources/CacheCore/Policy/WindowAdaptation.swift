/// How the window of a ``WindowTinyLFU`` policy changes size while the cache runs.
public enum WindowAdaptation: String, Sendable, CaseIterable, Codable {
    /// The window keeps its initial fraction (Caffeine's simulator `WindowTinyLfu`).
    case fixed
    /// Caffeine 2.7–3.2's hill climber exactly: it follows the sign of the change in hit rate,
    /// which can drift to the smallest window on recency-heavy traces. Kept for comparison.
    case hillClimbing
    /// The default: the hill climber, and when the hit rate gives no direction (a flat
    /// sample) it follows hit density — window hits per byte against main hits per byte —
    /// and grows the window when neither region earns hits. On recency-heavy traces the
    /// window therefore grows towards LRU behaviour instead of collapsing below it.
    case guardedHillClimbing
    /// The guarded climber, checked against plain LRU: a sampled shadow LRU (``LRUShadow``)
    /// replays one key in 2ⁿ, and whenever LRU hit clearly more of 512 sampled requests than the
    /// policy did, the window grows at once (by twice the lead, up to the whole cache) — towards
    /// LRU, which is what a window of (nearly) the whole cache is; in this mode the window may
    /// also take probation's budget. Built to stop the losses to LRU on recency-shaped traces
    /// and phase changes (issue #20); measured with `statecache bench hitrate`. Not the
    /// default yet: it still loses to the guarded climber on some small caches, and in the running
    /// cache it did worse than simulated (README, "Policies side by side").
    case shadowGuided

    /// Whether flat samples are decided by hit density and the step has a floor.
    var isGuarded: Bool { self == .guardedHillClimbing || self == .shadowGuided }
}
