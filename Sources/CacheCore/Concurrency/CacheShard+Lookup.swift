/// The lookup protocol of a locked shard, in one place: a lookup runs alongside other
/// readers when it can (the usual case) and logs its access in the caller's stripe; when the
/// stripe is full — or a writer stays inside, or the stripe is taken — it finishes under
/// exclusive access, where the log is applied.
extension ReadMostlyLocked where Value == CacheShard {
    /// Answers `lookup` as one request (a hit on the key that had it, or one miss), logged in
    /// `stripe`. One lock round, except once per ``CacheShard/stripeCapacity`` lookups, when the
    /// full log is applied under exclusive access.
    @inline(__always)
    func lookUp(_ lookup: CacheLookup, stripe: Int) -> CacheHit? {
        if let done = withSharedAccess(stripe: stripe, { $0.sharedLookUp(lookup, stripe: stripe) }) {
            if done.status != .logged {
                withExclusiveAccess { $0.settle(done.entry, status: done.status, stripe: stripe) }
            }
            return done.hit
        }
        return withExclusiveAccess { $0.lookUp(lookup, stripe: stripe) }
    }
}
