@testable import CacheCore

extension SharedStateCache {
    /// A cache as the cache tests make it: `megabytes` of capacity, `shards` shards (nil: the
    /// default count), `compression`, and a fixed policy `seed`, so that a run replays.
    static func forTesting(megabytes: Double, shards: Int?, compression: StateCompression, seed: UInt64) -> SharedStateCache {
        var options = CacheOptions()
        options.cacheLocalMB = megabytes
        options.shardCount = shards
        options.compression = compression
        options.seed = seed
        return SharedStateCache(options: options)
    }
}
