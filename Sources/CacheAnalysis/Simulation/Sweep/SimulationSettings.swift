import CacheCore

/// The choices a simulation makes beyond the policy and the size.
public struct SimulationSettings: Sendable, Hashable {
    /// Clear the cache at every restart record (default: keep it, as a cache restored from its
    /// persistent files would be).
    public var coldRestarts = false
    /// W-TinyLFU: the window's initial share of the cache (the cache's default, 1%).
    public var windowFraction = CacheOptions().windowFraction
    /// W-TinyLFU: how the window adapts (the cache's default).
    public var adaptation = CacheOptions().windowAdaptation
    /// W-TinyLFU: the seed of the admission jitter (fixed, so runs are reproducible).
    public var seed: UInt64 = WindowTinyLFU.Configuration(maximumWeight: 1).seed
    /// W-TinyLFU: the shards the cache is split into (default: one policy).
    public var shards = SimulationShards.count(1)

    /// The cache's defaults.
    public init() {}
}
