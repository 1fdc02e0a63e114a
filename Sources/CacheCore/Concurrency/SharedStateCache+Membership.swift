/// Membership questions that are not accesses: what the trace's invalidation records ask.
extension SharedStateCache {
    /// Whether any of `keys` — revisions of one object — is cached; not an access (no
    /// statistics, no change of rank, nothing logged).
    ///
    /// The keys of one object share a shard, so one read of that shard answers all of them. It
    /// runs beside concurrent lookups (shared access, as a hit does); only when a writer stays
    /// inside, or the calling thread's stripe is taken, does it wait for exclusive access.
    ///
    /// - Complexity: O(`keys.count`) under one shard lock.
    package func containsAny(of keys: [CacheKey]) -> Bool {
        guard !shards.isEmpty, let first = keys.first else { return false }
        precondition(keys.allSatisfy { $0.oid == first.oid }, "containsAny(of:) takes revisions of one object")
        let shard = shards[shardIndex(first)]
        if let found = shard.withSharedAccess(stripe: ThreadStripe.current, { $0.containsAny(of: keys) }) {
            return found
        }
        return shard.withExclusiveAccess { $0.containsAny(of: keys) }
    }
}

extension CacheShard {
    /// Whether the policy holds any of `keys`; reads the index only, so shared access will do.
    func containsAny(of keys: [CacheKey]) -> Bool {
        for key in keys where policy.contains(key) { return true }
        return false
    }
}
