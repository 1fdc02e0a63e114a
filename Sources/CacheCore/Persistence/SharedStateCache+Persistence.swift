/// Exporting and restoring the whole cache, for cache files (`docs/cache-files.md`).
///
/// ```swift
/// let entries = cache.exportEntries()        // most valuable first, payloads as stored
/// // … written to a file at close, read back by the next process …
/// let restored = newCache.restore(entries)   // same regions and sketch counts, never evicts
/// ```
///
/// Both sides work shard by shard under each shard's lock, once per call; payloads move as
/// they are stored (``StateCodec`` form, compressed or not), so nothing is re-encoded.
extension SharedStateCache {
    /// Every entry with its region and sketch estimate, most valuable first: by estimate,
    /// then region (protected, probation, window), then recency, the shards' entries
    /// interleaved (``PersistedEntry/valueOrderKey(frequency:region:recencyRank:index:)``).
    /// A writer that stops at a size cap therefore keeps what the policy would keep. Not an
    /// access: statistics and ranks do not change.
    ///
    /// - Complexity: O(n log n); each shard's lock is held for an O(shard size) copy.
    public func exportEntries() -> [PersistedEntry] {
        var entries: [PersistedEntry] = []
        var order: [UInt64] = []
        for shard in shards {
            shard.withExclusiveAccess { shard in
                shard.applyAll()
                shard.policy.appendPersistedEntries(to: &entries, orderKeys: &order)
            }
        }
        PersistedEntry.sortInValueOrder(&entries, keys: order)
        return entries
    }

    /// Restores exported entries into their shards without evicting anything
    /// (``WindowTinyLFU/restore(_:weight:)``): each goes back to its region and sketch count
    /// when there is room, earlier entries ahead of later ones. An entry whose key is already
    /// cached, which no longer fits its shard's budget, or whose stored size is
    /// `cacheLocalObjectMax` or more is skipped.
    ///
    /// Weights are counted as ``set(_:_:)`` counts them (payload plus
    /// ``CacheOptions/entryOverhead``), so ``CacheStatistics/bytes`` stays exact.
    ///
    /// - Returns: the keys of the entries restored (so that a caller that finds out later that
    ///   their source was damaged can remove exactly those).
    /// - Complexity: O(n); each shard's lock is taken once.
    @discardableResult
    public func restore(_ entries: [PersistedEntry]) -> [CacheKey] {
        guard isEnabled, !entries.isEmpty else { return [] }
        var batch = RestoreBatch(for: self)
        for entry in entries { batch.append(entry) }
        var restored: [CacheKey] = []
        restore(&batch, restoredKeys: &restored)
        return restored
    }

    /// Makes room, in every shard, for a restore of about `entries` entries whose payloads
    /// weigh `meanPayloadBytes` on average (a cache file's header says both), so that the
    /// batches that follow insert without growing the shards' indexes and node arrays on the
    /// way. Each shard prepares for its expected share and a margin, at most what fits in what
    /// is left of its budget. Nothing is stored and no policy decision changes; only the
    /// capacities do.
    ///
    /// - Complexity: O(shards), plus a move of the entries already cached.
    public func reserveForRestore(entries: Int, meanPayloadBytes: Int) {
        guard isEnabled, entries > 0 else { return }
        let meanWeight = Swift.max(0, meanPayloadBytes) + CacheOptions.entryOverhead
        // Keys spread over the shards binomially: the mean share plus three standard
        // deviations leaves few shards to grow, and those only once.
        let share = Double(entries) / Double(shards.count)
        let perShard = Int((share + 3 * share.squareRoot()).rounded(.up)) + 1
        for shard in shards {
            shard.withExclusiveAccess { $0.reserveForRestore(entries: perShard, meanWeight: meanWeight) }
        }
    }

    /// Restores a batch of entries, already sorted by shard, as ``restore(_:)`` restores an
    /// array: each shard's lock is taken once for the shard's whole run, and each payload
    /// moves into the cache without being copied or its reference count touched. Appends the
    /// keys of the entries restored to `restoredKeys` (shard by shard), empties the batch
    /// (keeping its capacity, for the next one) and returns how many were restored.
    ///
    /// - Complexity: O(n) for n entries.
    @discardableResult
    public func restore(_ batch: inout RestoreBatch, restoredKeys: inout [CacheKey]) -> Int {
        precondition(batch.shards.isEmpty || batch.layout == layout && batch.shards.count == shards.count,
                     "a restore batch made for another cache")
        var restored = 0
        for shard in batch.shards.indices where !batch.shards[shard].isEmpty {
            restored += shards[shard].withExclusiveAccess { policy in
                policy.restore(contentsOf: &batch.shards[shard], overhead: CacheOptions.entryOverhead) {
                    restoredKeys.append($0)
                }
            }
        }
        batch.removeAll()
        return restored
    }
}
