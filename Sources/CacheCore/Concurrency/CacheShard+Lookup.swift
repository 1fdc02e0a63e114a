/// The lookup protocol of a locked shard, in one place: a lookup runs alongside other
/// readers when it can (the usual case) and logs its access in the caller's stripe; when the
/// stripe is full it is applied under exclusive access if that can be had without waiting for
/// another writer (else the stripe stays full and the next accesses are only counted:
/// ``CacheShard``). Only a writer that stays inside, or a stripe taken by another thread,
/// sends a lookup to exclusive access.
extension ReadMostlyLocked<CacheShard>.Handle {
    /// Answers `lookup` as one request (a hit on the key that had it, or one miss), logged or
    /// counted in `stripe`. One shared lock round; once per ``CacheShard/stripeCapacity``
    /// lookups, a try of exclusive access that applies the full log.
    @inline(__always)
    func lookUp(_ lookup: CacheLookup, stripe: Int) -> (value: ObjectState, fromFallback: Bool)? {
        if let done = withSharedAccess(stripe: stripe, { $0.sharedLookUp(lookup, stripe: stripe) }) {
            if done.logIsFull { _ = tryWithExclusiveAccess { $0.apply(stripe: stripe) } }
            return done.hit
        }
        return withExclusiveAccess { $0.lookUp(lookup, stripe: stripe) }
    }
}
