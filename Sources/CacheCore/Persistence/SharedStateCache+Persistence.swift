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
        let policies = shards
        guard !policies.isEmpty, !entries.isEmpty else { return [] }
        var positions = [[Int]](repeating: [], count: policies.count)
        for (position, entry) in entries.enumerated() where entry.payload.count < options.cacheLocalObjectMax {
            positions[shardIndex(entry.key)].append(position)
        }
        var restored: [[CacheKey]] = []
        for (shard, group) in positions.enumerated() {
            var keys: [CacheKey] = []
            if !group.isEmpty {
                policies[shard].withExclusiveAccess { shard in
                    for position in group {
                        let entry = entries[position]
                        if shard.restore(entry, weight: entry.payload.count + CacheOptions.entryOverhead) {
                            keys.append(entry.key)
                        }
                    }
                }
            }
            restored.append(keys)
        }
        return restored.flatMap { $0 }
    }
}
