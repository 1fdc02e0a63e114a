/// One request to the cache: the key a reader wants, and an older key of the same object
/// whose state serves it just as well — one request, answered by whichever key has a state.
///
/// A view asks for `(oid, cp0)` and, when the object did not change between the two
/// checkpoints, falls back to its state under the older checkpoint (`CacheViews`). Both keys
/// name one object, and a cache shards by object, so one lock round answers both.
///
/// ```swift
/// let lookup = CacheLookup(CacheKey(oid: oid, tid: cp0), orElse: CacheKey(oid: oid, tid: cp1))
/// if let hit = cache.get(lookup) { … hit.value, hit.fromFallback … }
/// ```
public struct CacheLookup: Hashable, Sendable {
    /// The key asked for first (and the one a state loaded after a miss is stored under).
    public let primary: CacheKey
    /// The older key of the same object, tried when `primary` has nothing.
    public let fallback: CacheKey?

    /// A request for `primary`, or else `fallback`.
    ///
    /// - Precondition: `fallback` names the same object as `primary`.
    @inlinable public init(_ primary: CacheKey, orElse fallback: CacheKey? = nil) {
        precondition(fallback == nil || fallback!.oid == primary.oid, "a fallback key names the primary key's object")
        self.primary = primary
        self.fallback = fallback
    }
}

/// What a ``CacheLookup`` found: the state, and whether its fallback key answered. Only the
/// cache makes one (its memberwise initializer is internal).
public struct CacheHit: Sendable, Equatable {
    /// The cached state.
    public let value: ObjectState
    /// True when the lookup's fallback key had the state (a view then copies it forward to
    /// the primary key).
    public let fromFallback: Bool
}
