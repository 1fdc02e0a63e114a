/// The key of a cache entry: an object and the TID its state is filed under.
///
/// An entry `(oid, keyTID) → (actualTID, state)` records a fact about committed history: the
/// state of `oid` current as of `keyTID` was written by `actualTID` (`docs/cache.md`). The views of
/// `CacheViews` decide which `keyTID` to ask for (a checkpoint or an exact TID).
public struct CacheKey: Hashable, Sendable, CustomStringConvertible {
    /// The object.
    public var oid: ObjectID
    /// The TID the state is filed under (a checkpoint or the exact TID that wrote it).
    public var tid: TransactionID

    /// Creates a key for `oid` filed under `tid`.
    @inlinable public init(oid: ObjectID, tid: TransactionID) {
        self.oid = oid
        self.tid = tid
    }

    /// Feeds the hasher one pre-mixed word instead of two: half the hashing work on every
    /// cache lookup (equal keys still hash equally; distinct keys that mix to the same word
    /// only share a bucket chain, and `==` tells them apart).
    @inlinable public func hash(into hasher: inout Hasher) {
        hasher.combine(oid.rawValue ^ (tid.rawValue &* 0x9E37_79B9_7F4A_7C15))
    }

    @inlinable public static func == (lhs: CacheKey, rhs: CacheKey) -> Bool {
        lhs.oid.rawValue == rhs.oid.rawValue && lhs.tid.rawValue == rhs.tid.rawValue
    }

    /// A cheap, deterministic 32-bit hash code for the frequency sketch and the mini-simulations'
    /// sample: Java's `Long.hashCode(oid)`, so a trace of bare keys drives the sketch exactly as
    /// Caffeine's simulator does.
    ///
    /// It is the object's, not the revision's: every key of one object (its state under each
    /// checkpoint, or under the TID that wrote it) shares one count, since popularity belongs to
    /// the object — a state written anew is as wanted as the one it replaces. And the TIDs a
    /// running cache files states under are clock times, different in every run, which the
    /// simulation of a trace never sees (its keys are bare object ids): were they hashed in,
    /// each run of the same workload would sample other keys for its mini-simulations and its
    /// hit rate would wander from run to run, and from `cache-simul`'s prediction
    /// (`statecache bench fidelity`, `docs/hit-rate.md`). Unlike `hashValue` it is stable across
    /// runs (no per-process seed), which keeps simulations reproducible.
    @inlinable public var sketchHashCode: UInt32 {
        UInt32(truncatingIfNeeded: oid.rawValue ^ (oid.rawValue >> 32))
    }

    public var description: String { "(\(oid), \(tid.rawValue))" }
}
