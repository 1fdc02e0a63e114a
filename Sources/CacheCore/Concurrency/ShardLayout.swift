/// How ``SharedStateCache`` splits its keys and its byte budget into independently locked
/// shards: which shard a key lives in, how many bytes and which jitter seed each shard gets,
/// and how many shards a cache of a given size makes on its own.
///
/// `cache-simul --shards` replays a trace through the same layout, so the hit rate it
/// predicts for a sharded cache is the one the cache gets, not a single policy's.
///
/// ```swift
/// let layout = ShardLayout.automatic(capacity: 10_000_000)   // 32 shards
/// layout.shard(of: key)                                       // 0 ..< 32
/// layout.budget(ofShard: 0, capacity: 10_000_000)             // 312_500
/// ```
public struct ShardLayout: Sendable, Hashable {
    /// The number of shards: a power of two, at least 1.
    public let count: Int
    /// `64 − log2(count)`: a key's shard is the top `log2(count)` bits of its mixed hash
    /// (64 for one shard, where every key is in shard 0).
    @usableFromInline let shift: UInt64

    /// A layout of `count` shards.
    ///
    /// - Precondition: `count` is a power of two, at least 1.
    public init(count: Int) {
        precondition(count >= 1 && count & (count - 1) == 0, "the shard count must be a power of two")
        self.count = count
        shift = UInt64(64 - count.trailingZeroBitCount)
    }

    /// The most shards a cache makes on its own.
    ///
    /// More shards make it rarer that one thread waits for another's exclusive access to the
    /// same shard (a set, or a batch of logged hits): `statecache bench cache` and the
    /// measurements in the README's *Threads* section.
    public static let maximumAutomaticCount = 256

    /// The least a shard holds when the cache picks the count: 16 of the largest states the
    /// cache accepts by default (``CacheOptions/cacheLocalObjectMax``, 16 KiB), so that no shard
    /// is too small for a few large objects and its own window (`cache-simul --shards` shows
    /// shards losing hit rate below about 100 KB).
    public static let minimumAutomaticShardBytes = 262_144

    /// The layout a cache of `capacity` bytes makes on its own: the most shards, up to
    /// ``maximumAutomaticCount``, that leave each at least ``minimumAutomaticShardBytes``.
    public static func automatic(capacity: Int) -> ShardLayout {
        var count = 1
        while count < maximumAutomaticCount && capacity / (count * 2) >= minimumAutomaticShardBytes { count *= 2 }
        return ShardLayout(count: count)
    }

    /// The shard of `key`: its object's shard. Every revision of an object lives in one shard,
    /// so a lookup of an object under two keys (``CacheLookup``) takes one shard's lock once.
    @inlinable public func shard(of key: CacheKey) -> Int {
        shard(of: key.oid)
    }

    /// The shard of `oid`: the top bits of a 64-bit mix of it, independent of the bits the
    /// frequency sketch uses inside a shard.
    @inlinable public func shard(of oid: ObjectID) -> Int {
        guard shift < 64 else { return 0 }
        var x = oid.rawValue &* 0xC2B2_AE3D_27D4_EB4F
        x = (x ^ (x >> 33)) &* 0xFF51_AFD7_ED55_8CCD
        x ^= x >> 33
        return Int(truncatingIfNeeded: x >> shift)
    }

    /// Shard `index`'s share of `capacity` weight units: equal shares, the remainder spread
    /// over the first shards, so the shares add up to `capacity` exactly.
    public func budget(ofShard index: Int, capacity: Int) -> Int {
        capacity / count + (index < capacity % count ? 1 : 0)
    }

    /// Shard `index`'s admission-jitter seed, derived from the cache's `seed`, so that shards
    /// do not draw the same jitter sequence.
    public func seed(ofShard index: Int, base seed: UInt64) -> UInt64 {
        seed &+ UInt64(index) &* 0x9E37_79B9
    }
}
