import CacheCore

/// What a view asks the cache for one object, and what the answer must be: derived once per
/// load from the view's position (snapshot, checkpoints, `deltaAfter0`) and epoch, and used by
/// ``StorageView/load(_:from:)`` and ``StorageView/load(many:from:)`` alike.
///
/// - Changed after `cp0` (`deltaAfter0[oid] = t`): the exact key `(oid, t)`, no fallback, and
///   the state found — in the cache or the storage — must have been written by `t`.
/// - Otherwise: `(oid, cp0)`, else the older checkpoint's key — `(oid, deltaAfter1[oid])`, or
///   `(oid, cp1)` when the object did not change in `(cp1, cp0]` — and any state not newer
///   than the snapshot is right.
struct LookupPlan {
    /// The cache request; a state loaded from the storage is stored under its primary key.
    let lookup: CacheLookup
    /// The TID the object's state must have (its `deltaAfter0` entry); nil when any state not
    /// after the snapshot will do.
    let expected: TransactionID?

    var oid: ObjectID { lookup.primary.oid }

    /// The plan for `oid` in a view at `checkpoints` with `deltaAfter0` and `epoch`.
    @inline(__always)
    init(_ oid: ObjectID, checkpoints: Checkpoints, deltaAfter0: [ObjectID: TransactionID], epoch: CheckpointEpoch) {
        if !deltaAfter0.isEmpty, let exact = deltaAfter0[oid] {
            lookup = CacheLookup(CacheKey(oid: oid, tid: exact))
            expected = exact
            return
        }
        let fallback: CacheKey?
        if let older = epoch.deltaAfter1.isEmpty ? nil : epoch.deltaAfter1[oid] {
            fallback = CacheKey(oid: oid, tid: older)
        } else {
            fallback = checkpoints.cp1 != checkpoints.cp0 ? CacheKey(oid: oid, tid: checkpoints.cp1) : nil
        }
        lookup = CacheLookup(CacheKey(oid: oid, tid: checkpoints.cp0), orElse: fallback)
        expected = nil
    }
}
