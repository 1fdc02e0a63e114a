import CacheCore

/// The keys under which a view could find a state of an object in the shared cache: the exact
/// TID its `deltaAfter0` names, `cp0`, and the older checkpoint's key (`deltaAfter1`'s exact
/// TID, or `cp1`). Any revision found there counts as held, current or not.
///
/// A value taken from the view when it hands changes to the ``InvalidationRecorder``, so that
/// coding an invalidation never calls back into the view. Cheap: `deltaAfter0` is shared
/// copy-on-write and the epoch by reference.
///
/// What it cannot name: a state filed under an exact TID that only another view's
/// `deltaAfter0` names (a view with a newer snapshot that loaded the object after an earlier
/// change), when this view records a later change of the same object.
struct CachedStateKeys {
    /// The view's `deltaAfter0` at the time it learned the changes.
    let deltaAfter0: [ObjectID: TransactionID]
    /// The view's epoch at that time (nil: no checkpoints, so only exact keys count).
    let epoch: CheckpointEpoch?

    /// The keys of `oid`, most specific first; all of one object, so all in one shard.
    func keys(of oid: ObjectID) -> [CacheKey] {
        var keys: [CacheKey] = []
        if let known = deltaAfter0[oid] { keys.append(CacheKey(oid: oid, tid: known)) }
        guard let epoch else { return keys }
        let plan = LookupPlan(oid, checkpoints: epoch.checkpoints, deltaAfter0: [:], epoch: epoch)
        keys.append(plan.lookup.primary)
        if let older = plan.lookup.fallback { keys.append(older) }
        return keys
    }
}
