/// Entries on their way back into a ``SharedStateCache``, already sorted by shard, so that
/// ``SharedStateCache/restore(_:restoredKeys:)`` takes each shard's lock once per batch and
/// inserts that shard's entries in one run (`docs/cache-files.md`).
///
/// ```swift
/// var batch = RestoreBatch(for: cache)
/// for entry in entries { batch.append(entry) }      // any thread: the batch is a value
/// var restored: [CacheKey] = []
/// cache.restore(&batch, restoredKeys: &restored)    // empties the batch, keeps its capacity
/// ```
///
/// Sorting by shard is the part of a restore that needs no lock, so a cache-file reader does
/// it on its background thread while the caller inserts the previous batch. A batch keeps
/// the order of its entries within each shard (earlier entries — in value order, the more
/// valuable — are restored ahead of later ones). Payloads of `cacheLocalObjectMax` bytes or
/// more are left out when appended, as ``SharedStateCache/restore(_:)`` leaves them out.
public struct RestoreBatch: Sendable {
    /// The cache's shard routing (``ShardLayout/shard(of:)``).
    let layout: ShardLayout
    /// `cacheLocalObjectMax`: payloads this large are not restored.
    let objectMaximum: Int
    /// The entries of each shard, in the order they were appended.
    var shards: [[Item]]
    /// The entries the batch holds.
    public private(set) var count = 0
    /// The payload bytes the batch holds (what its entries will weigh, without the overhead).
    public private(set) var payloadBytes = 0

    /// An empty batch for `cache`'s shards (for a disabled cache, one that restores nothing).
    public init(for cache: SharedStateCache) {
        layout = cache.layout
        objectMaximum = cache.options.cacheLocalObjectMax
        shards = [[Item]](repeating: [], count: cache.isEnabled ? cache.shardCount : 0)
    }

    /// An entry on its way into a shard, with its payload's size beside it: the restore
    /// weighs the entry without loading the payload's storage header — a line that the
    /// thread which made the payload (a cache file's reader, on the other core) has just
    /// written, and a cache miss per entry on the inserting thread (`statecache bench
    /// persist`). Fits in the entry's own padding (40 bytes).
    struct Item: Sendable {
        /// The entry; the restore moves its payload out into the cache.
        var entry: PersistedEntry
        /// Set by the restore: whether the entry's key was cached before its run started.
        var wasCached = false
        /// Set by the restore: the sketch's estimate for the key before its run started.
        var estimate: UInt8 = 0
        /// `entry.payload.count`, taken when the item was made.
        let payloadCount: UInt32

        init(_ entry: consuming PersistedEntry) {
            payloadCount = UInt32(entry.payload.count)
            self.entry = entry
        }
    }

    /// Whether the batch holds no entry.
    public var isEmpty: Bool { count == 0 }

    /// Adds `entry` to its shard's run; an entry whose payload is too large to cache is
    /// dropped (the restore would skip it).
    public mutating func append(_ entry: consuming PersistedEntry) {
        let size = entry.payload.count
        guard !shards.isEmpty, size < objectMaximum, size <= Int(UInt32.max) else { return }
        count += 1
        payloadBytes += size
        shards[layout.shard(of: entry.key)].append(Item(entry))
    }

    /// Empties the batch, keeping each shard's capacity for the next one.
    public mutating func removeAll() {
        for shard in shards.indices where !shards[shard].isEmpty { shards[shard].removeAll(keepingCapacity: true) }
        count = 0
        payloadBytes = 0
    }
}
