/// How the persistence extension reaches the shards — a stopgap until `SharedStateCache`
/// opens them to its own module.
///
/// `SharedStateCache` keeps `shards` and `shardIndex(_:)` `private` to SharedStateCache.swift,
/// which the persistence work may not edit. Until they become internal (requested in issue 7's
/// report: drop `private` from `shards`, `Shard` and `shardIndex(_:)`, no other change), the
/// export and restore reach each shard's policy by reflection — once per call, never on a hot
/// path — and compute a key's shard with a copy of the cache's mix.
///
/// Two guards keep the copy honest: `SharedStatePersistenceTests.testShardRoutingMatchesTheCache`
/// fails if it ever differs from the cache's own routing, and ``restore(_:)`` checks each shard's
/// restored keys with the real lookup (``contains(_:)``) and backs everything out on a mismatch,
/// so a divergence can cost a warm start but never leave unreachable entries behind.
extension SharedStateCache {
    /// The shards' policies, in shard order (empty when the cache is disabled): the stored
    /// property that holds `[Locked<WindowTinyLFU>]`, or — the layout before 2026-11-21 — the
    /// `shards` array of objects that each hold one in a `policy` property.
    var shardPolicies: [Locked<WindowTinyLFU>] {
        let children = Mirror(reflecting: self).children
        for child in children {
            if let policies = child.value as? [Locked<WindowTinyLFU>] { return policies }
        }
        guard let shards = children.first(where: { $0.label == "shards" })?.value else { return [] }
        return Mirror(reflecting: shards).children.compactMap { shard in
            Mirror(reflecting: shard.value).children.first { $0.label == "policy" }?.value as? Locked<WindowTinyLFU>
        }
    }

    /// The shard of `key` among `shardCount` (a power of two): the top bits of the same 64-bit
    /// mix `SharedStateCache` uses.
    func persistenceShardIndex(_ key: CacheKey, shardCount: Int) -> Int {
        guard shardCount > 1 else { return 0 }
        let shift = UInt64(64 - shardCount.trailingZeroBitCount)
        var x = key.oid.rawValue ^ (key.tid.rawValue &* 0xC2B2_AE3D_27D4_EB4F)
        x = (x ^ (x >> 33)) &* 0xFF51_AFD7_ED55_8CCD
        x ^= x >> 33
        return Int(truncatingIfNeeded: x >> shift)
    }
}
