/// The settings of a ``SharedStateCache``, named after RelStorage's options where one exists.
public struct CacheOptions: Sendable, Equatable, Codable {
    /// The size bound in megabytes of 10⁶ bytes (`cache-local-mb`; 0 disables the cache).
    ///
    /// The bound covers stored payloads plus ``entryOverhead`` per entry, so it is close to the
    /// memory the cache really holds.
    public var cacheLocalMB: Double = 10
    /// States whose stored (possibly compressed) size is this many bytes or more are not
    /// cached (`cache-local-object-max`).
    public var cacheLocalObjectMax: Int = 16_384
    /// How states are stored (`cache-local-compression`).
    public var compression: StateCompression = .none
    /// The admission window's initial share of the cache (W-TinyLFU; Caffeine's 1%).
    public var windowFraction: Double = 0.01
    /// How the window adapts (see ``WindowAdaptation``).
    public var windowAdaptation: WindowAdaptation = .miniSimulation
    /// The number of independently locked shards, a power of two; nil chooses from the size
    /// (``ShardLayout/automatic(capacity:)``). 1 gives a single, deterministic policy, as the
    /// simulator uses by default.
    public var shardCount: Int?
    /// The seed of the admission jitter; nil seeds from the system's generator.
    package var seed: UInt64?

    /// The defaults: 10 MB, 16 KiB objects, no compression, 1% adaptive window.
    public init() {}

    /// The cache's byte bound: `1_000_000 × cacheLocalMB`.
    public var capacityBytes: Int { Int((cacheLocalMB * 1_000_000).rounded(.down)) }

    /// The memory an entry costs beyond its payload bytes, in bytes.
    ///
    /// Measured on Linux x86-64 (glibc malloc) by `EntryOverheadProbe` (the Workload module): heap bytes in use
    /// (`mallinfo2`) before and after inserting fresh 100-byte states, minus the payload bytes,
    /// divided by the count. The figure moves with where the node array and the index are in
    /// their doubling growth — 147 to 202 bytes between 50,000 and 260,000 entries, 168 on
    /// average: the node (key, TIDs, links, weight: 56 bytes, up to 2× while its array grows),
    /// the index bucket (16 bytes at ≤ 75% load: slot, tag and the payload's address), the
    /// payload array's 32-byte header and malloc's rounding, and the frequency sketch's 8
    /// bytes. A unit test keeps this constant within 20% of a fresh measurement. It is 5% under
    /// the mean since the buckets grew from 8 bytes: raised to 168, `statecache bench persist`
    /// loads fell from about 1,100 to 600 MB/s with 50,000 more page faults (glibc's heap no
    /// longer reused between the benchmark's rounds), which is not understood yet
    /// (`docs/cache.md`, Size).
    package static let entryOverhead = 160
}
