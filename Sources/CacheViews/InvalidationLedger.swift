import CacheCore
import ObjectStorage

/// Which invalidations a process has already traced: the bookkeeping behind "one invalidation
/// record per change per process", however many views (connections) learn of the change.
///
/// ZEO's client has one cache and one stream of invalidations, so its trace holds one `10`/`1c`
/// per changed object per transaction. A StateCache process has one cache but a view per
/// connection, and every view learns every change at its own polls; if each traced what it
/// learned, a change would be recorded once per connection (a `make demo` trace held 6,293
/// invalidation records for 2,458 changes). The ledger lets the *first* view to learn of a
/// change record it, and no other.
///
/// **The watermark.** Views learn changes in *intervals*: a poll reports the changes in
/// `(previous snapshot, new snapshot]`, a rebuild lists those in `(lower, new snapshot]`. The
/// ledger keeps one TID, ``watermark``, with the invariant
///
/// > every change with `tid ≤ watermark` that a view of this process learned has been recorded.
///
/// A view claiming an interval `(lower, upper]` with `lower ≤ watermark` records exactly its
/// changes with `tid > watermark` — the older ones were recorded by whoever moved the watermark
/// past them — and moves the watermark to `max(watermark, upper)`; the invariant holds again,
/// because the claimed interval joins the covered range without a hole. Views keep `lower ≤
/// watermark` by construction: a poll's `lower` is the view's previous snapshot, which its
/// previous claim covered; a rebuild lists its changes from `min(cp0, watermark)` (see
/// ``StorageView``). Check and update happen under one lock (``CheckpointCoordinator``), so two
/// views claiming overlapping intervals at once split the changes between them, never share one.
///
/// **Own commits.** ZEO's client gets no invalidation message for its own transaction, but its
/// `tpc_finish` calls `cache.invalidate(oid, tid)` and then `cache.store(oid, tid, …)` for every
/// object it wrote, so its trace holds `10`/`1c` then `52` per object, at commit time. A view
/// does the same: ``claimCommit(_:)`` at commit, before any poll has seen the transaction. Its
/// TID is usually above the watermark (other transactions in between may not be recorded yet),
/// so it waits in ``committedAhead`` until the watermark passes it; a poll skips the changes of
/// a TID found there. If a poll of another view learned the commit first (between the storage's
/// commit and the view's bookkeeping), the watermark is already past it and the claim fails:
/// still one record.
///
/// **A restored cache.** A process that starts from cache files read the change list through
/// the database's last transaction while loading them and left out every entry those changes
/// made stale; its views' first polls list the same changes again only to build their delta
/// maps. Those changes invalidated nothing this process holds (a ZEO client restarting with a
/// persistent cache is told only of what changed after the cache's last TID), so the ledger
/// starts with its watermark at that transaction.
///
/// **Bounded.** One TID plus the own commits not yet passed by any view's poll — a handful: the
/// committing view's next poll passes its own commits, so the set drains at every poll.
///
/// **What counts as a change.** The storage is history-free: a poll names each object once, with
/// its newest TID in the interval. Two changes of one object that one view's poll sees together
/// are one event for that view (the older is superseded before anyone in the process learns of
/// it), exactly as the views' delta maps see them.
package struct InvalidationLedger: Sendable, Equatable {
    /// Every change with a TID at or below this has been recorded (nil: no interval claimed yet).
    package private(set) var watermark: TransactionID?
    /// Own commits recorded at commit time whose TID is above ``watermark``.
    package private(set) var committedAhead: Set<TransactionID> = []

    /// An empty ledger: nothing recorded yet.
    package init() {}

    /// A ledger whose changes through `watermark` count as recorded: those a restored cache
    /// already reflects (see ``CheckpointCoordinator/init(epoch:invalidationsRecordedThrough:)``).
    package init(watermark: TransactionID) {
        self.watermark = watermark
    }

    /// Claims the interval `(lower, upper]` whose changes a view has just learned; returns the
    /// changes the caller must record (the others were recorded already).
    ///
    /// `lower` must not be above ``watermark`` (a hole would go unrecorded); the first claim of
    /// a process may start anywhere.
    ///
    /// - Complexity: O(`changes.count`).
    package mutating func claim(_ changes: [ObjectChange], after lower: TransactionID,
                               through upper: TransactionID) -> [ObjectChange] {
        assert(watermark.map { lower <= $0 } ?? true,
               "an interval (\(lower.rawValue), \(upper.rawValue)] above the watermark \(watermark!.rawValue) leaves a hole")
        let unrecorded: [ObjectChange]
        if let watermark {
            if committedAhead.isEmpty {
                unrecorded = changes.filter { $0.tid > watermark }
            } else {
                unrecorded = changes.filter { $0.tid > watermark && !committedAhead.contains($0.tid) }
            }
        } else {
            unrecorded = committedAhead.isEmpty ? changes : changes.filter { !committedAhead.contains($0.tid) }
        }
        let advanced = Swift.max(watermark ?? upper, upper)
        watermark = advanced
        if !committedAhead.isEmpty { committedAhead = committedAhead.filter { $0 > advanced } }
        return unrecorded
    }

    /// Claims the changes of this process's own commit `tid`; true when the caller must record
    /// them (no poll has yet), false when a view's poll already did.
    package mutating func claimCommit(_ tid: TransactionID) -> Bool {
        if let watermark, tid <= watermark { return false }
        return committedAhead.insert(tid).inserted
    }
}
