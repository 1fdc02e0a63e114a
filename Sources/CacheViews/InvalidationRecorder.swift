import CacheCore
import CacheTrace
import ObjectStorage

/// Writes a process's invalidation records, in one direction: from the changes a view learned
/// to the trace, without coming back to the view.
///
/// A view that learns changes — at a poll, a rebuild, or its own commit — hands them over
/// with the keys a state of each object could be cached under (``CachedStateKeys``), and is
/// done. The recorder then
/// 1. claims them in the coordinator's ``InvalidationLedger`` (one lock round for the batch),
///    keeping only the changes no other view of the process recorded;
/// 2. asks the cache whether it holds a state of each claimed object: one shared read of the
///    object's shard beside concurrent lookups, not an exclusive lock round
///    (``SharedStateCache/containsAny(of:)``);
/// 3. writes `1c` (held: ZEO's "hit, saving non-current") or `10` (not held), as ZEO's
///    `ClientCache.invalidate` codes them (`docs/traces.md`).
struct InvalidationRecorder {
    let coordinator: CheckpointCoordinator
    let cache: SharedStateCache
    let writer: TraceWriter

    /// Records the changes a view learned for `(lower, upper]` that no view recorded yet.
    func record(_ changes: [ObjectChange], after lower: TransactionID, through upper: TransactionID,
                keys: CachedStateKeys) {
        for change in coordinator.claimInvalidations(changes, after: lower, through: upper) {
            recordInvalidation(change.oid, tid: change.tid, keys: keys)
        }
    }

    /// Records a commit of this process as ZEO's `tpc_finish` traces it: per object its
    /// invalidation (only if no view's poll recorded the transaction first) and then its store
    /// (`52`). Call it before the committed states enter the cache: the invalidation's code
    /// says what the cache held until then.
    func recordCommit(tid: TransactionID, states: [(oid: ObjectID, state: [UInt8])], keys: CachedStateKeys) {
        let recordsInvalidations = coordinator.claimCommitInvalidations(tid)
        for (oid, state) in states {
            if recordsInvalidations { recordInvalidation(oid, tid: tid, keys: keys) }
            writer.write(.storeCurrent, oid: oid.rawValue, tid: tid.rawValue, dataLength: state.count)
        }
    }

    private func recordInvalidation(_ oid: ObjectID, tid: TransactionID, keys: CachedStateKeys) {
        let held = cache.isEnabled && cache.containsAny(of: keys.keys(of: oid))
        writer.write(held ? .invalidateHitSavingNonCurrent : .invalidateMiss, oid: oid.rawValue, tid: tid.rawValue)
    }
}
