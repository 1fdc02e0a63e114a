import CacheCore
import CacheTrace
import ObjectStorage

/// One connection's window onto the shared cache: its snapshot, its checkpoints and
/// `deltaAfter0`, and the lookup order that makes every cached load exactly what the database
/// returns at that snapshot (RelStorage 2's scheme, RelStorage's cache).
///
/// ```swift
/// let view = StorageView(cache: cache, coordinator: coordinator)
/// let poll = try connection.poll()
/// try view.afterPoll(poll, source: connection)
/// let loaded = try view.load(oid, from: connection)!   // ObjectState: loaded.state, loaded.tid
/// ```
///
/// **The scheme.** Cache entries are facts — "`oid`'s state current as of `keyTID` was written by
/// `actualTID`" — so they never go stale. The view tracks, for its snapshot *S*, every object
/// changed after the newer checkpoint `cp0` (`deltaAfter0`, exact TIDs) and, shared with the whole
/// process, every object changed in `(cp1, cp0]` (``CheckpointEpoch/deltaAfter1``). A load asks:
/// 1. `deltaAfter0[oid] = t` → the exact entry `(oid, t)`, or the storage (whose TID must be `t`);
/// 2. else `(oid, cp0)` — the object has not changed since `cp0`, so that state is current;
/// 3. else `(oid, deltaAfter1[oid])`, or `(oid, cp1)` when the object did not change after `cp1`;
///    a hit here is copied forward to `(oid, cp0)`;
/// 4. else the storage, and the result is stored under `(oid, cp0)`.
///
/// **Polls** merge the storage's change list into `deltaAfter0`. When it reaches
/// `deltaSizeLimit` the process shifts to `(snapshot, cp0)` — the old `deltaAfter0` becomes the
/// new, shared `deltaAfter1` — or to `(snapshot, snapshot)` at twice the limit; other views
/// adopt the new epoch at their next poll without a query (``CheckpointCoordinator``).
///
/// **Own commits** are stored under `(oid, commitTID)` at once, but enter `deltaAfter0` at the
/// next poll, whose change list includes them: until then the connection reads its snapshot,
/// exactly as the storage does (RelStorage records them at commit; that would let a load
/// return a state newer than the snapshot the storage connection still reads).
///
/// **Tracing** (ZEO's codes, ZEO's trace tools): a load writes `22` (hit) or
/// `20` (miss, then `52` for the state it stores). An invalidation is written once per change
/// per process, by the first view to learn of it (``InvalidationLedger``), as `1c` when the
/// cache held a state of the object and `10` when it did not — the view hands what it learned
/// to its ``InvalidationRecorder`` and is done; a commit writes its objects'
/// invalidations and stores (`52`) at once, as ZEO's `tpc_finish` does. Loads are never traced
/// as non-current (`24`/`26`): a view asks the one cache for the state current as of its
/// snapshot, and cannot tell (without a per-object lookup) whether a newer revision exists.
/// Views that share a coordinator share its tracer.
///
/// Not thread-safe: one view per connection, used by one thread at a time. Its hot
/// properties are exempt from run-time exclusivity checks (`@exclusivity(unchecked)`): they
/// cost more than the rest of a cache hit, and single-threaded use is the contract.
public final class StorageView {
    /// The process-wide cache.
    public let cache: SharedStateCache
    /// The process-wide checkpoints.
    public let coordinator: CheckpointCoordinator
    /// `cacheDeltaSizeLimit`: the `deltaAfter0` size that shifts the checkpoints.
    public let deltaSizeLimit: Int
    /// Where events are recorded, if tracing is on.
    public let tracer: TraceWriter?
    /// Where the invalidations this view learns go, if tracing is on.
    private let invalidations: InvalidationRecorder?

    /// Where the view stands. Kept as plain values, so a load reads the snapshot and the
    /// checkpoints without retaining the shared epoch (whose reference count every thread's
    /// views would otherwise write).
    enum Position: Equatable {
        /// Before the first poll: loads go to the storage.
        case unpolled
        /// At a snapshot but without checkpoints, after the cache and the database disagreed:
        /// loads go to the storage until the next poll rebuilds.
        case detached(snapshot: TransactionID)
        /// At a snapshot with the epoch's checkpoints: loads go through the cache.
        case polled(snapshot: TransactionID, checkpoints: Checkpoints)
    }

    /// Where the view stands; `.polled` exactly when ``epoch`` is set (``checkInvariants()``).
    @exclusivity(unchecked) private(set) var position = Position.unpolled

    /// The epoch (checkpoints and shared `deltaAfter1`) the view uses.
    @exclusivity(unchecked) public private(set) var epoch: CheckpointEpoch?

    /// The view's snapshot TID (nil before the first poll).
    public var snapshotTID: TransactionID? {
        switch position {
        case .unpolled: return nil
        case .detached(let snapshot), .polled(let snapshot, _): return snapshot
        }
    }

    /// Moves the view to `snapshot` under `epoch` (nil: detached from the checkpoints).
    private func move(to snapshot: TransactionID, epoch: CheckpointEpoch?) {
        self.epoch = epoch
        position = epoch.map { .polled(snapshot: snapshot, checkpoints: $0.checkpoints) } ?? .detached(snapshot: snapshot)
    }

    /// Objects changed in `(cp0, snapshot]`, with their latest TID.
    @exclusivity(unchecked) public private(set) var deltaAfter0: [ObjectID: TransactionID] = [:]
    /// What this view did.
    @exclusivity(unchecked) public private(set) var statistics = ViewStatistics()

    /// Creates a view that has not polled yet (its loads bypass the cache until it does).
    public init(cache: SharedStateCache, coordinator: CheckpointCoordinator,
                deltaSizeLimit: Int = 100_000, tracer: TraceWriter? = nil) {
        precondition(deltaSizeLimit > 0, "cacheDeltaSizeLimit must be positive")
        self.cache = cache
        self.coordinator = coordinator
        self.deltaSizeLimit = deltaSizeLimit
        self.tracer = tracer
        invalidations = tracer.map { InvalidationRecorder(coordinator: coordinator, cache: cache, writer: $0) }
    }

    /// The view's checkpoints (nil before the first poll).
    public var checkpoints: Checkpoints? { epoch?.checkpoints }

    // MARK: - Loading

    /// The state of `oid` as of the snapshot and the TID that wrote it (nil: no such object),
    /// from the cache when it has the right entry, else from `source` (then cached).
    ///
    /// - Throws: ``CacheViewError`` when the cache and the database disagree (the cache is
    ///   cleared; poll and retry), or the source's error.
    public func load(_ oid: ObjectID, from source: some ObjectSource) throws -> ObjectState? {
        try cachedLoad(oid, from: source)
    }

    @inline(__always)
    private func cachedLoad<Source: ObjectSource>(_ oid: ObjectID, from source: Source) throws -> ObjectState? {
        statistics.loads += 1
        guard case .polled(let snapshot, let checkpoints) = position, let epoch else {
            statistics.misses += 1
            trace(.loadMiss, oid)
            return try source.load(oid)
        }
        let plan = LookupPlan(oid, checkpoints: checkpoints, deltaAfter0: deltaAfter0, epoch: epoch)
        if let hit = cache.get(plan.lookup) {
            let state = try verified(hit.value, plan, snapshot: snapshot, fromStorage: false)!
            if hit.fromFallback {
                statistics.copiesForward += 1
                cache.set(plan.lookup.primary, state)
            }
            return hitResult(oid, state)
        }
        statistics.misses += 1
        trace(.loadMiss, oid)
        guard let loaded = try verified(try source.load(oid), plan, snapshot: snapshot, fromStorage: true) else { return nil }
        store(plan.lookup.primary, loaded)
        return loaded
    }

    /// The states of many objects (ZODB's prefetch): one pass over the cache, the misses
    /// fetched from `source` in one round trip and cached. Missing objects are absent.
    public func load(many oids: [ObjectID], from source: some ObjectSource) throws -> [ObjectID: ObjectState] {
        guard case .polled(let snapshot, let checkpoints) = position, let epoch else {
            statistics.loads += oids.count
            statistics.misses += oids.count
            for oid in oids { trace(.loadMiss, oid) }
            return try source.load(many: oids)
        }
        let plans = Array(Set(oids)).map { LookupPlan($0, checkpoints: checkpoints, deltaAfter0: deltaAfter0, epoch: epoch) }
        statistics.loads += plans.count
        var result: [ObjectID: ObjectState] = [:]
        var missing: [LookupPlan] = []
        var copies: [(key: CacheKey, value: ObjectState)] = []
        for (plan, hit) in zip(plans, cache.get(many: plans.map(\.lookup))) {
            guard let hit else {
                missing.append(plan)
                continue
            }
            let state = try verified(hit.value, plan, snapshot: snapshot, fromStorage: false)!
            if hit.fromFallback {
                statistics.copiesForward += 1
                copies.append((plan.lookup.primary, state))
            }
            result[plan.oid] = hitResult(plan.oid, state)
        }
        if !copies.isEmpty { cache.set(many: copies) }
        guard !missing.isEmpty else { return result }
        statistics.misses += missing.count
        for plan in missing { trace(.loadMiss, plan.oid) }
        let loaded = try source.load(many: missing.map(\.oid))
        var toStore: [(key: CacheKey, value: ObjectState)] = []
        for plan in missing {
            guard let state = try verified(loaded[plan.oid], plan, snapshot: snapshot, fromStorage: true) else { continue }
            result[plan.oid] = state
            toStore.append((plan.lookup.primary, state))
            trace(.storeCurrent, plan.oid, tid: state.tid, length: state.state.count)
        }
        cache.set(many: toStore)
        return result
    }

    /// The one check every answer passes, from the cache or the storage: a state the plan
    /// expects exactly must have that TID (else the cache and the database disagree: the
    /// cache is cleared), and no state may be newer than the snapshot.
    @inline(__always)
    private func verified(_ state: ObjectState?, _ plan: LookupPlan, snapshot: TransactionID,
                          fromStorage: Bool) throws -> ObjectState? {
        if let expected = plan.expected, state?.tid != expected {
            if fromStorage, let state, state.tid > snapshot {
                throw CacheViewError.stateFromTheFuture(oid: plan.oid, tid: state.tid, snapshot: snapshot)
            }
            throw inconsistency(plan.oid, expected: expected, found: state?.tid)
        }
        if let state, state.tid > snapshot {
            throw CacheViewError.stateFromTheFuture(oid: plan.oid, tid: state.tid, snapshot: snapshot)
        }
        return state
    }

    private func hitResult(_ oid: ObjectID, _ hit: ObjectState) -> ObjectState {
        statistics.hits += 1
        trace(.loadHit, oid, tid: hit.tid, length: hit.state.count)
        return hit
    }

    private func store(_ key: CacheKey, _ loaded: ObjectState) {
        cache.set(key, loaded)
        trace(.storeCurrent, key.oid, tid: loaded.tid, length: loaded.state.count)
    }

    /// Clears the shared cache and forgets this view's checkpoints, so that its next poll
    /// rebuilds from the storage; returns the error to throw.
    private func inconsistency(_ oid: ObjectID, expected: TransactionID, found: TransactionID?) -> CacheViewError {
        let error = CacheViewError.inconsistent(oid: oid, expected: expected, found: found, checkpoints: checkpoints)
        cache.removeAll()
        coordinator.reset()
        if let snapshot = snapshotTID { move(to: snapshot, epoch: nil) }
        deltaAfter0 = [:]
        return error
    }

    // MARK: - Committing

    /// Caches the states this connection just committed, under `(oid, tid)`. They enter
    /// `deltaAfter0` at the next poll (see the type's discussion).
    ///
    /// Traced as ZEO's `tpc_finish` traces a commit: per object an invalidation (`1c` when the
    /// cache held a state of it, else `10`) and then the store (`52`); the invalidations only if
    /// no view's poll has recorded this transaction yet (``InvalidationLedger``).
    public func afterCommit(tid: TransactionID, states: [(oid: ObjectID, state: [UInt8])]) {
        invalidations?.recordCommit(tid: tid, states: states, keys: cachedStateKeys)
        cache.set(many: states.map { (CacheKey(oid: $0.oid, tid: tid), ObjectState(state: $0.state, tid: tid)) })
    }

    // MARK: - Polling

    /// Moves the view to `poll.newTID`: merges the changes, adopts newer process checkpoints,
    /// and shifts them when `deltaAfter0` has grown to `deltaSizeLimit`. An unknown change list
    /// (first poll) or a gap rebuilds `deltaAfter0` with one `listChanges` query.
    public func afterPoll(_ poll: PollResult, source: some ObjectSource) throws {
        try afterPoll(previousTID: poll.previousTID, newTID: poll.newTID, changes: poll.changes, source: source)
    }

    /// ``afterPoll(_:source:)`` with the poll's parts.
    public func afterPoll(previousTID: TransactionID?, newTID: TransactionID, changes: [ObjectChange]?,
                          source: some ObjectSource) throws {
        statistics.polls += 1
        if let changes, let epoch, let snapshot = snapshotTID, previousTID == snapshot, newTID >= snapshot {
            // Traced before they are merged: the code says what the cache held until now.
            invalidations?.record(changes, after: snapshot, through: newTID, keys: cachedStateKeys)
            for change in changes where change.tid > epoch.checkpoints.cp0 {
                if let known = deltaAfter0[change.oid], known >= change.tid { continue }
                // The revision this view would have asked for until now is superseded: drop it,
                // so that it does not hold cache space no view past this change can use (a view
                // still before the change that wants it again reloads it: a miss, never wrong).
                cache.remove(CacheKey(oid: change.oid, tid: deltaAfter0[change.oid] ?? epoch.checkpoints.cp0))
                deltaAfter0[change.oid] = change.tid
            }
            move(to: newTID, epoch: epoch)
            adoptNewerEpochIfPossible()
        } else {
            try rebuild(at: newTID, source: source)
        }
        shiftIfNeeded()
    }

    /// Rebuilds from the process's epoch: `deltaAfter0` = the changes in `(cp0, newTID]`.
    private func rebuild(at newTID: TransactionID, source: some ObjectSource) throws {
        statistics.rebuilds += 1
        let shared = coordinator.initialize(at: newTID)
        let base: CheckpointEpoch
        if shared.checkpoints.cp0 <= newTID {
            base = shared
        } else {
            // The process's checkpoints are newer than this snapshot (another view polled later
            // and shifted): use private checkpoints at the snapshot until a later poll can adopt.
            base = CheckpointEpoch(checkpoints: .at(newTID), deltaAfter1: [:], isShared: false)
        }
        // With tracing, list from no later than the process's invalidation watermark, so that
        // the changes this view skips over are recorded even when nobody else learned them
        // (after `reset()`, or a view that initialized the checkpoints at its own snapshot).
        let cp0 = base.checkpoints.cp0
        let watermark = tracer == nil ? nil : coordinator.invalidationWatermark
        let listFrom = Swift.min(cp0, watermark ?? cp0)
        var listed: [ObjectChange] = []
        if listFrom < newTID {
            coordinator.countChangeQuery()
            listed = try source.listChanges(after: listFrom, through: newTID)
        }
        var rebuilt: [ObjectID: TransactionID] = [:]
        for change in listed where change.tid > cp0 {
            if let known = rebuilt[change.oid], known >= change.tid { continue }
            rebuilt[change.oid] = change.tid
        }
        // Traced under the new epoch (whose checkpoint keys say what the cache holds) but
        // before `deltaAfter0` is replaced: the old one may name a cached exact state.
        epoch = base
        invalidations?.record(listed, after: listFrom, through: newTID, keys: cachedStateKeys)
        deltaAfter0 = rebuilt
        move(to: newTID, epoch: base)
    }

    /// Adopts the process's epoch if it is newer than the view's and not after its snapshot.
    /// The view's `deltaAfter0` covers `(its cp0, snapshot]` ⊇ `(new cp0, snapshot]`, and the
    /// new epoch's `deltaAfter1` covers `(new cp1, new cp0]`: filtering is all it takes.
    private func adoptNewerEpochIfPossible() {
        guard let epoch, let snapshot = snapshotTID, let shared = coordinator.current, shared !== epoch else { return }
        let target = shared.checkpoints
        guard target.cp0 <= snapshot, target.cp0 >= epoch.checkpoints.cp0 else { return }
        deltaAfter0 = deltaAfter0.filter { $0.value > target.cp0 }
        move(to: snapshot, epoch: shared)
        statistics.adoptions += 1
    }

    /// Shifts the process's checkpoints when this view's `deltaAfter0` reached the limit.
    private func shiftIfNeeded() {
        guard deltaAfter0.count >= deltaSizeLimit, let epoch, let snapshot = snapshotTID,
              snapshot > epoch.checkpoints.cp0 else { return }
        guard epoch.isShared else {
            adoptNewerEpochIfPossible()
            return
        }
        let oversize = deltaAfter0.count >= 2 * deltaSizeLimit
        let replacement = oversize
            ? CheckpointEpoch(checkpoints: .at(snapshot), deltaAfter1: [:])
            : CheckpointEpoch(checkpoints: Checkpoints(cp0: snapshot, cp1: epoch.checkpoints.cp0), deltaAfter1: deltaAfter0)
        let inForce = coordinator.shift(from: epoch, to: replacement)
        if inForce === replacement {
            statistics.shifts += 1
            move(to: snapshot, epoch: replacement)
            deltaAfter0 = [:]
        } else {
            adoptNewerEpochIfPossible()  // another view shifted first
        }
    }

    // MARK: - Tracing

    /// The keys a state of an object could be cached under as the view stands now, handed to
    /// the ``InvalidationRecorder`` with the changes the view learned.
    private var cachedStateKeys: CachedStateKeys {
        CachedStateKeys(deltaAfter0: deltaAfter0, epoch: epoch)
    }

    @inline(__always) private func trace(_ code: TraceEventCode, _ oid: ObjectID, tid: TransactionID = .zero, length: Int = 0) {
        tracer?.write(code, oid: oid.rawValue, tid: tid.rawValue, dataLength: length)
    }
}
