import StateVocabulary

/// One thread's view of a ``PostgresObjectStore``: a `REPEATABLE READ READ ONLY` snapshot,
/// loads from it, and a buffer of stores that ``commit()`` writes as one transaction (on a
/// writer session of the store, so the snapshot stays put).
///
/// A connection owns one libpq session. When the server goes away, the call that notices
/// throws `StorageError.Code.connectionLost` and the snapshot is gone; the next ``poll()``
/// reconnects and lists every change since the last successful poll, so a cache in front of
/// it misses nothing.
///
/// Not `Sendable`: use it from one thread at a time.
public final class PostgresConnection: ObjectStoreConnection {
    /// The store this connection reads and commits to.
    public let objectStore: PostgresObjectStore
    /// The TID the connection's loads see; nil before the first poll, after
    /// ``releaseSnapshot()``, after a lost session and after ``close()``.
    public private(set) var snapshotTID: TransactionID?
    /// True after ``close()``.
    public private(set) var isClosed = false

    /// The connection's session; replaced by ``poll()`` when it broke.
    private var handle: PostgresConnectionHandle
    /// Buffered stores, the last polled snapshot (kept across releases and reconnections) and
    /// unreported own commits.
    private var ledger = ConnectionLedger()

    init(store: PostgresObjectStore, handle: PostgresConnectionHandle) throws(StorageError) {
        objectStore = store
        self.handle = handle
    }

    deinit {
        close()
    }

    // MARK: - Snapshots

    /// Ends the current snapshot, starts one at the latest commit (reconnecting first if the
    /// session was lost) and returns what changed in between.
    ///
    /// Two round trips: `COMMIT; BEGIN …` in one message, then the last TID and the changes
    /// since the previous poll in one query — the first read of the transaction, which fixes
    /// its snapshot.
    public func poll() throws(StorageError) -> PollResult {
        guard !isClosed else { throw .closed }
        snapshotTID = nil
        if handle.isBroken {
            handle.close()
            handle = try objectStore.openSession()
        }
        let result: PollResult
        do throws(StorageError) {
            // One query answers both: the last TID (which fixes the snapshot) and the changes.
            var rows: PostgresResult?
            result = try ledger.poll(startSnapshot: { (previous) throws(StorageError) -> TransactionID in
                try handle.execute((handle.isInTransaction ? "COMMIT; " : "") + "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                let answer = try handle.query("""
                    WITH last AS (SELECT coalesce(max(tid), 0) AS tid FROM transaction_log)
                    SELECT last.tid, o.zoid, o.tid FROM last
                    LEFT JOIN object_state AS o ON o.tid > $1 AND o.tid <= last.tid
                    ORDER BY o.tid, o.zoid
                    """, [.int8(Int64(previous?.rawValue ?? UInt64(Int64.max)))], prepareAs: "poll")
                rows = answer
                return TransactionID(UInt64(try answer.int64(0, 0) ?? 0))
            }, listChanges: { (_, _) throws(StorageError) -> [ObjectChange] in
                guard let rows else { return [] }
                var list: [ObjectChange] = []
                list.reserveCapacity(rows.rowCount)
                for row in 0..<rows.rowCount where !rows.isNull(row, 1) {
                    list.append(ObjectChange(oid: ObjectID(UInt64(try rows.int64(row, 1) ?? 0)),
                                             tid: TransactionID(UInt64(try rows.int64(row, 2) ?? 0))))
                }
                return list
            })
        } catch {
            handle.rollbackQuietly()
            throw error
        }
        snapshotTID = result.newTID
        return result
    }

    /// Ends the read transaction without starting another, so that an idle connection does
    /// not hold back vacuum. Loads fail with `StorageError.Code.noSnapshot` until the next poll.
    public func releaseSnapshot() {
        snapshotTID = nil
        guard !isClosed, handle.isInTransaction else { return }
        do throws(StorageError) { try handle.execute("COMMIT") } catch { handle.rollbackQuietly() }
    }

    // MARK: - Loads

    /// The state of `oid` and the TID that wrote it, as of the snapshot; nil when the object
    /// does not exist in the snapshot. One prepared statement, binary in and out.
    public func load(_ oid: ObjectID) throws(StorageError) -> ObjectState? {
        try inSnapshot { (handle) throws(StorageError) -> ObjectState? in
            let rows = try handle.query("SELECT state, tid FROM object_state WHERE zoid = $1",
                                        [.int8(Int64(bitPattern: oid.rawValue))], prepareAs: "load")
            guard rows.rowCount == 1 else { return nil }
            return ObjectState(state: rows.bytes(0, 0) ?? [], tid: TransactionID(UInt64(try rows.int64(0, 1) ?? 0)))
        }
    }

    /// The states of many objects as of the snapshot, in one query (`zoid = ANY($1)`).
    public func load(many oids: [ObjectID]) throws(StorageError) -> [ObjectID: ObjectState] {
        try inSnapshot { (handle) throws(StorageError) -> [ObjectID: ObjectState] in
            var result: [ObjectID: ObjectState] = [:]
            guard !oids.isEmpty else { return result }
            let rows = try handle.query("SELECT zoid, state, tid FROM object_state WHERE zoid = ANY($1::int8[])",
                                        [.int8Array(oids.map { Int64(bitPattern: $0.rawValue) })], prepareAs: "load_many")
            result.reserveCapacity(rows.rowCount)
            for row in 0..<rows.rowCount {
                result[ObjectID(UInt64(try rows.int64(row, 0) ?? 0))] = ObjectState(state: rows.bytes(row, 1) ?? [], tid: TransactionID(UInt64(try rows.int64(row, 2) ?? 0)))
            }
            return result
        }
    }

    /// The objects whose current state, as of the snapshot, was written in `(after, through]`.
    public func listChanges(after: TransactionID, through: TransactionID) throws(StorageError) -> [ObjectChange] {
        try inSnapshot { (handle) throws(StorageError) -> [ObjectChange] in
            try PostgresQueries.listChanges(on: handle, after: after, through: through)
        }
    }

    // MARK: - Writes

    /// Buffers a new state for `oid` for the next ``commit()``; `expecting` is the TID of the
    /// state it is based on (nil: a new object). Storing the same OID again replaces it.
    public func store(_ oid: ObjectID, _ state: [UInt8], expecting: TransactionID?) {
        ledger.store(oid, state, expecting: expecting)
    }

    /// The number of objects buffered for the next commit.
    public var pendingStoreCount: Int { ledger.pending.count }

    /// The buffered stores, in call order (one per object).
    public var pendingStates: [(oid: ObjectID, state: [UInt8])] { ledger.pendingStates }

    /// Writes the buffered stores as one transaction and returns its TID (see
    /// ``PostgresObjectStore``'s commit protocol). A conflict drops the buffer; other errors
    /// keep it, so the commit can be retried or ``abort()``ed. The snapshot does not move.
    ///
    /// A session lost before `COMMIT` throws `StorageError.Code.connectionLost` (nothing was
    /// written); one lost during `COMMIT` throws `StorageError.Code.commitOutcomeUnknown`: poll
    /// and read the objects to learn whether it landed (committing the kept buffer again is
    /// safe: if the first attempt landed, the retry fails with a conflict).
    public func commit() throws(StorageError) -> TransactionID {
        guard !isClosed else { throw .closed }
        let store = objectStore
        return try ledger.commit { (stores) throws(StorageError) in try store.commit(stores) }
    }

    /// Drops the buffered stores.
    public func abort() {
        ledger.abort()
    }

    /// Ends the snapshot, drops buffered stores and closes the session. Idempotent.
    public func close() {
        guard !isClosed else { return }
        releaseSnapshot()
        abort()
        isClosed = true
        handle.close()
    }

    // MARK: - Helpers

    /// Runs a read in the snapshot. A failure aborts PostgreSQL's transaction, so the snapshot
    /// is dropped with it: the caller polls again (which reconnects when the session is gone).
    private func inSnapshot<R>(_ body: (PostgresConnectionHandle) throws(StorageError) -> R) throws(StorageError) -> R {
        guard snapshotTID != nil else { throw isClosed ? .closed : .noSnapshot }
        do throws(StorageError) {
            return try body(handle)
        } catch {
            snapshotTID = nil
            handle.rollbackQuietly()
            throw error
        }
    }

    /// Traps if the connection's bookkeeping is inconsistent.
    func checkInvariants() {
        ledger.checkInvariants()
        if let snapshotTID {
            precondition(snapshotTID == ledger.polledTID, "snapshot is not the polled TID")
            precondition(handle.isInTransaction, "a snapshot without a read transaction")
        }
    }
}

/// A connection is used by one thread at a time; it must not be shared.
@available(*, unavailable)
extension PostgresConnection: Sendable {}
