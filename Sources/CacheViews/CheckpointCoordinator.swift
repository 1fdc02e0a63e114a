import CacheCore
import ObjectStorage

/// The process's checkpoints: one ``CheckpointEpoch`` that every view of the process adopts.
///
/// RelStorage 2 kept the checkpoints in an ordinary, evictable cache entry and made every
/// connection rebuild its delta maps with its own `list_changes` query after a shift — with
/// many connections, a query storm on every shift. Here the checkpoints belong to the process
/// and never live in the cache; a shift is computed once, by the view that crosses
/// `cacheDeltaSizeLimit`, from its own `deltaAfter0` (which already holds exactly the changes in
/// `(cp0, newTID]` — the new `deltaAfter1`), so a shift costs **no** query; every other view
/// adopts the new epoch at its next poll by filtering the changes it already tracks
/// (see ``StorageView``). Only a view's first poll (or one after a gap) queries the storage,
/// for the changes since `cp0`.
///
/// The coordinator also keeps the process's ``InvalidationLedger``, so that a change is traced
/// once per process — by the first view to learn of it — not once per connection.
public final class CheckpointCoordinator: Sendable {
    private let state = Locked<State>(State())

    private struct State {
        var epoch: CheckpointEpoch?
        var shifts = 0
        var changeQueries = 0
        var invalidations = InvalidationLedger()
    }

    /// Creates a coordinator with no checkpoints yet (the first poll sets them).
    public init() {}

    /// Creates a coordinator that starts from known checkpoints (for instance a cache file's).
    ///
    /// - Parameter invalidationsRecordedThrough: for a cache restored from files, the last
    ///   transaction whose changes the restore already took into account (it left out the
    ///   entries they made stale): views do not trace them again (``InvalidationLedger``).
    public init(epoch: CheckpointEpoch, invalidationsRecordedThrough: TransactionID? = nil) {
        state.withLock { state in
            state.epoch = epoch
            if let invalidationsRecordedThrough {
                state.invalidations = InvalidationLedger(watermark: invalidationsRecordedThrough)
            }
        }
    }

    /// The current epoch, or nil before the first poll.
    public var current: CheckpointEpoch? { state.withLock { $0.epoch } }

    /// Sets `(tid, tid)` if the process has no checkpoints yet; returns the epoch in force.
    public func initialize(at tid: TransactionID) -> CheckpointEpoch {
        state.withLock { state in
            if let epoch = state.epoch { return epoch }
            let epoch = CheckpointEpoch(checkpoints: .at(tid), deltaAfter1: [:])
            state.epoch = epoch
            return epoch
        }
    }

    /// Replaces `expected` by `replacement` if `expected` is still current (compare-and-set);
    /// returns the epoch in force afterwards.
    public func shift(from expected: CheckpointEpoch, to replacement: CheckpointEpoch) -> CheckpointEpoch {
        state.withLock { state in
            guard let current = state.epoch, current === expected else { return state.epoch ?? replacement }
            precondition(replacement.checkpoints.cp0 >= current.checkpoints.cp0, "checkpoints never move back")
            state.epoch = replacement
            state.shifts += 1
            return replacement
        }
    }

    /// Forgets the checkpoints (after the cache was cleared); the next poll sets new ones.
    /// What was traced stays recorded (``invalidationWatermark``).
    public func reset() {
        state.withLock { $0.epoch = nil }
    }

    /// Counts one `listChanges` query made on behalf of a view.
    func countChangeQuery() {
        state.withLock { $0.changeQueries += 1 }
    }

    // MARK: Tracing invalidations

    /// Every change with a TID at or below this has been traced by some view (nil: none yet).
    /// A view that rebuilds lists its changes from no later than this, so that nothing it skips
    /// over goes unrecorded (``InvalidationLedger``).
    package var invalidationWatermark: TransactionID? { state.withLock { $0.invalidations.watermark } }

    /// Claims the changes a view learned for `(lower, upper]`; returns those it must trace
    /// (``InvalidationLedger/claim(_:after:through:)``).
    package func claimInvalidations(_ changes: [ObjectChange], after lower: TransactionID,
                                   through upper: TransactionID) -> [ObjectChange] {
        state.withLock { $0.invalidations.claim(changes, after: lower, through: upper) }
    }

    /// Claims the changes of this process's own commit `tid`; true when the committing view must
    /// trace them (``InvalidationLedger/claimCommit(_:)``).
    package func claimCommitInvalidations(_ tid: TransactionID) -> Bool {
        state.withLock { $0.invalidations.claimCommit(tid) }
    }

    /// The invalidation bookkeeping as it stands (for tests and diagnostics).
    package var invalidationLedger: InvalidationLedger { state.withLock { $0.invalidations } }

    /// How many times the checkpoints shifted.
    package var shiftCount: Int { state.withLock { $0.shifts } }

    /// How many `listChanges` queries views made (first polls and gaps; shifts make none).
    package var changeQueryCount: Int { state.withLock { $0.changeQueries } }
}
