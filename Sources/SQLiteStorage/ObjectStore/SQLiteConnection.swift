import StateVocabulary

/// One thread's view of the object storage: a read snapshot, loads from it, and a buffer of
/// stores that ``commit()`` writes as one transaction.
///
/// ```swift
/// let connection = try store.connect()
/// let poll = try connection.poll()                 // snapshot = poll.newTID
/// if let loaded = try connection.load(oid) {
///     connection.store(oid, update(loaded.state), expecting: loaded.tid)
///     do { _ = try connection.commit() }
///     catch StorageError.Code.conflict { … poll, reload, redo }
/// }
/// ```
///
/// **Snapshots.** The connection reads inside a SQLite read transaction that stays open from
/// one ``poll()`` to the next, so every load between two polls sees the database as of one
/// TID — whatever other threads and processes commit meanwhile, including this connection's
/// own commits. ``poll()`` moves the snapshot to the latest commit and says which objects
/// changed in between. Keep polls regular: SQLite cannot recycle the write-ahead log past
/// the oldest open snapshot (``releaseSnapshot()`` lets go of it while idle).
///
/// **Threads.** A connection is not `Sendable`: use it from one thread (or one task) at a
/// time. Open one per thread; they are cheap (one SQLite connection each).
public final class SQLiteConnection: ObjectStoreConnection {
    /// The store this connection reads and commits to.
    public let objectStore: SQLiteObjectStore

    /// The TID the connection's loads see; nil before the first poll, after
    /// ``releaseSnapshot()`` and after ``close()``.
    public private(set) var snapshotTID: TransactionID?

    /// True after ``close()``.
    public private(set) var isClosed = false

    /// The connection's own SQLite connection (read-only: `query_only`).
    private let handle: SQLiteConnectionHandle
    /// Prepared once: the hot path binds, steps and resets them. Finalized by ``close()``,
    /// which lets SQLite really close the file; every use is guarded by `isClosed` or by
    /// `snapshotTID` (nil once closed).
    private let loadStatement: SQLiteStatement
    private let beginStatement: SQLiteStatement
    private let endStatement: SQLiteStatement
    private let lastTIDStatement: SQLiteStatement
    /// Loads many OIDs at once; see ``load(many:)``.
    private let batchLoader: BatchLoader

    /// Buffered stores, the last polled snapshot (kept across ``releaseSnapshot()``) and
    /// unreported own commits.
    private var ledger = ConnectionLedger()

    init(store: SQLiteObjectStore, handle: SQLiteConnectionHandle) throws(StorageError) {
        objectStore = store
        self.handle = handle
        loadStatement = try handle.prepare("SELECT state, tid FROM object_state WHERE zoid = ?", persistent: true)
        beginStatement = try handle.prepare("BEGIN", persistent: true)
        endStatement = try handle.prepare("COMMIT", persistent: true)
        lastTIDStatement = try handle.prepare("SELECT max(tid) FROM transaction_log", persistent: true)
        batchLoader = BatchLoader(handle: handle)
    }

    deinit {
        close()
    }

    // MARK: - Snapshots

    /// Ends the current snapshot, starts a new one at the latest commit, and returns what
    /// changed in between.
    ///
    /// The first poll of a connection returns `changes == nil` ("unknown"): there is nothing
    /// to compare with. So does a poll that finds the database's last TID *lower* than
    /// before — the database was replaced (restored from a backup) and every cached fact
    /// about it is suspect. Changes written by this connection's own commits are listed too,
    /// and their TIDs are in `PollResult.ownCommits`.
    ///
    /// - Complexity: three short statements, plus a range scan of the `tid` index over the
    ///   changes when there are any.
    public func poll() throws(StorageError) -> PollResult {
        guard !isClosed else { throw .closed }
        endReadTransaction()
        try step(beginStatement)
        let result: PollResult
        do throws(StorageError) {
            result = try ledger.poll(startSnapshot: { (_) throws(StorageError) -> TransactionID in
                // The first read of the transaction is what fixes its snapshot.
                defer { lastTIDStatement.reset() }
                _ = try lastTIDStatement.step()
                return TransactionID(lastTIDStatement.uint64(at: 0)) // NULL (no transaction yet) reads as 0
            }, listChanges: { (previous, newTID) throws(StorageError) -> [ObjectChange] in
                try SQLiteObjectStore.listChanges(on: handle, after: previous, through: newTID)
            })
        } catch {
            handle.rollbackQuietly()
            throw error
        }
        snapshotTID = result.newTID
        return result
    }

    /// Ends the read transaction without starting another, so that an idle connection does
    /// not pin the write-ahead log. Loads fail with `StorageError.Code.noSnapshot` until the next
    /// ``poll()``, which still reports the changes since the released snapshot.
    public func releaseSnapshot() {
        endReadTransaction()
    }

    // MARK: - Loads

    /// The state of `oid` and the TID that wrote it, as of the snapshot; nil when the object
    /// does not exist in the snapshot.
    ///
    /// Hot path: one reused prepared statement (bind, step, reset) and one allocation — the
    /// returned array, filled with a single copy from SQLite's page. Guarded by the `storage`
    /// benchmark (`statecache bench storage`).
    ///
    /// - Throws: `StorageError.Code.noSnapshot` before the first ``poll()``.
    /// - Complexity: O(log n).
    public func load(_ oid: ObjectID) throws(StorageError) -> ObjectState? {
        guard snapshotTID != nil else { throw isClosed ? .closed : .noSnapshot }
        let statement = loadStatement
        defer { statement.reset() }
        try statement.bind(oid.rawValue, at: 1)
        guard try statement.step() else { return nil }
        return ObjectState(state: statement.blob(at: 0), tid: TransactionID(statement.uint64(at: 1)))
    }

    /// The states of many objects as of the snapshot, fetched with one prepared query per
    /// chunk of OIDs instead of one per OID. OIDs not in the snapshot are absent from the
    /// result; duplicates are fine.
    ///
    /// - Throws: `StorageError.Code.noSnapshot` before the first ``poll()``.
    public func load(many oids: [ObjectID]) throws(StorageError) -> [ObjectID: ObjectState] {
        guard snapshotTID != nil else { throw isClosed ? .closed : .noSnapshot }
        return try batchLoader.load(oids)
    }

    /// The objects whose current state (as of this connection's snapshot) was written in
    /// `(after, through]`, ordered by TID then OID. Changes after the snapshot are not seen,
    /// whatever `through` says.
    ///
    /// - Throws: `StorageError.Code.noSnapshot` before the first ``poll()``.
    public func listChanges(after: TransactionID, through: TransactionID) throws(StorageError) -> [ObjectChange] {
        guard snapshotTID != nil else { throw isClosed ? .closed : .noSnapshot }
        return try SQLiteObjectStore.listChanges(on: handle, after: after, through: through)
    }

    // MARK: - Writes

    /// Buffers a new state for `oid`, to be written by the next ``commit()``.
    ///
    /// `expecting` is the TID of the state this one is based on (what ``load(_:)`` returned),
    /// or nil for a new object. Storing the same OID again replaces the earlier store.
    /// Nothing touches the database until ``commit()``.
    public func store(_ oid: ObjectID, _ state: [UInt8], expecting: TransactionID?) {
        ledger.store(oid, state, expecting: expecting)
    }

    /// The number of objects buffered for the next commit.
    public var pendingStoreCount: Int { ledger.pending.count }

    /// The buffered stores, in call order (one per object).
    public var pendingStates: [(oid: ObjectID, state: [UInt8])] { ledger.pendingStates }

    /// Writes the buffered stores as one transaction and returns its TID.
    ///
    /// The write lock is taken only now (`BEGIN IMMEDIATE`). Each object's expected TID is
    /// checked against its current one; on any mismatch nothing is written, the buffer is
    /// dropped (those stores can never succeed) and `StorageError.Code.conflict` names
    /// the objects. On other errors (`StorageError.Code.busy`, I/O) the buffer is kept
    /// so the commit can be retried, or dropped with ``abort()``.
    ///
    /// With nothing buffered it still commits a transaction (with no objects), as ZODB allows.
    ///
    /// The connection's snapshot does not move: loads still see the snapshot of the last poll
    /// until the next ``poll()``, which lists this commit's objects and its TID in
    /// `PollResult.ownCommits`.
    public func commit() throws(StorageError) -> TransactionID {
        guard !isClosed else { throw .closed }
        let store = objectStore
        return try ledger.commit { (stores) throws(StorageError) in try store.commit(stores) }
    }

    /// Drops the buffered stores.
    public func abort() {
        ledger.abort()
    }

    /// Ends the snapshot, drops buffered stores and closes the SQLite connection. Idempotent.
    public func close() {
        guard !isClosed else { return }
        endReadTransaction()
        abort()
        isClosed = true
        for statement in [loadStatement, beginStatement, endStatement, lastTIDStatement] { statement.finalize() }
        batchLoader.finalize()
        handle.close()
    }

    // MARK: - Helpers

    /// Commits (ends) the read transaction if one is open.
    private func endReadTransaction() {
        snapshotTID = nil
        guard !isClosed, handle.isInTransaction else { return }
        // Ending a read-only transaction cannot fail in a way worth reporting; if it did,
        // rolling back releases the snapshot just the same.
        do throws(StorageError) { try step(endStatement) } catch { handle.rollbackQuietly() }
    }

    /// Runs a statement that returns no rows, and resets it.
    private func step(_ statement: SQLiteStatement) throws(StorageError) {
        defer { statement.reset() }
        _ = try statement.step()
    }

    /// Traps if the connection's bookkeeping is inconsistent.
    func checkInvariants() {
        ledger.checkInvariants()
        if !isClosed {
            precondition((snapshotTID != nil) == handle.isInTransaction,
                         "snapshot \(String(describing: snapshotTID)) but read transaction open: \(handle.isInTransaction)")
        }
        if let snapshotTID { precondition(snapshotTID == ledger.polledTID, "snapshot is not the polled TID") }
    }
}

/// A connection is used by one thread at a time; it must not be shared.
@available(*, unavailable)
extension SQLiteConnection: Sendable {}
