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
}
