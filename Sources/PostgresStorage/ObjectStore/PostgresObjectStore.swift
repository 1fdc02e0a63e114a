import StateVocabulary
import Synchronization

/// A history-free object storage in a PostgreSQL database, shared by the processes of many
/// machines: the same cache, checkpoints, cache files and traces as the SQLite store, in
/// front of one database server.
///
/// ```swift
/// let store = try PostgresObjectStore.open("postgresql://app@db.example/objects")
/// let connection = try store.connect()           // one per thread
/// _ = try connection.poll()
/// ```
///
/// **Snapshots.** Each ``PostgresConnection`` reads in a `REPEATABLE READ READ ONLY`
/// transaction from one poll to the next; a poll ends it, starts the next and lists
/// `tid > last`. ``PostgresConnection/releaseSnapshot()`` ends it while idle, so it does not
/// hold back vacuum.
///
/// **Commits** run on a writer session from a small per-process pool, in two round trips: one
/// libpq pipeline that begins the transaction, takes per-object advisory locks in OID order
/// and then the commit lock — held until `COMMIT` — and, in one statement, compares each
/// object's TID with the expected one (`StorageError.Code.conflict` on any difference,
/// nothing written), chooses the TID (greater than the last one and not earlier than the
/// server's clock) and writes; then `COMMIT` alone. Commits therefore become visible in TID
/// order, and a poll's `tid > last` never misses one.
///
/// **OIDs** come from a sequence, a block per round trip; a block left unused by a process
/// that exits is simply skipped.
public final class PostgresObjectStore: ObjectStore {
    /// The URL or connection string the store was opened with.
    public let target: String
    /// The options the store was opened with.
    public let options: PostgresStorageOptions
    /// The database's permanent identity, created with its schema.
    public let identity: DatabaseIdentity
    /// The PostgreSQL database's name.
    public let databaseName: String
    /// ``target`` without its password.
    public var location: String { PostgresTarget.redacted(target) }
    /// False: every call is a round trip to the server.
    public var readsNeverWait: Bool { false }

    /// A session for the store-level queries; nil when closed, replaced when broken.
    private let reader: Locked<PostgresConnectionHandle?>
    /// Idle writer sessions; a commit takes one (or opens one) and returns it.
    private let writers = Locked<[PostgresWriterSession]>([])
    /// OIDs fetched from the sequence and not yet handed out, in ascending order.
    private let reservedOIDs = Locked<[UInt64]>([])
    /// Set by ``close()``.
    private let closed = Atomic<Bool>(false)

    private init(target: String, options: PostgresStorageOptions, identity: DatabaseIdentity, databaseName: String,
                 reader: sending PostgresConnectionHandle) {
        self.target = target
        self.options = options
        self.identity = identity
        self.databaseName = databaseName
        self.reader = Locked(reader)
    }

    /// Connects to the database at `target` (a `postgresql://` URL or a libpq connection
    /// string), creating the schema in an empty database.
    ///
    /// - Throws: `StorageError.Code.invalidArgument` for a malformed target,
    ///   `StorageError.Code.cannotConnect` when the server is unreachable or
    ///   refuses, `StorageError.Code.foreignDatabase` and
    ///   `StorageError.Code.newerSchema` for a database that is not (or
    ///   not yet) ours.
    public static func open(_ target: String, options: PostgresStorageOptions = .init()) throws(StorageError) -> PostgresObjectStore {
        try options.validate()
        let handle = try PostgresConnectionHandle.connect(to: target, location: PostgresTarget.redacted(target),
                                                          connectTimeout: options.connectTimeout)
        let identity = try PostgresSchema.prepare(handle, createIfMissing: options.createIfMissing)
        return PostgresObjectStore(target: target, options: options, identity: identity,
                                   databaseName: handle.databaseName, reader: handle)
    }

    /// Opens a connection with its own snapshot and session, for one thread at a time.
    public func connect() throws(StorageError) -> PostgresConnection {
        guard !isClosed else { throw .closed }
        return try PostgresConnection(store: self, handle: openSession())
    }

    /// `count` OIDs never handed out before, by any process on any machine.
    public func newOIDs(count: Int) throws(StorageError) -> [ObjectID] {
        guard count >= 0 else { throw .invalidArgument("cannot allocate \(count) OIDs") }
        return try reservedOIDs.withLock { (reserved) throws(StorageError) -> [ObjectID] in
            if reserved.count < count {
                let wanted = max(options.oidBlockSize, count - reserved.count)
                let fetched = try withReader { (handle) throws(StorageError) -> [UInt64] in
                    let rows = try handle.query("SELECT nextval('statecache_oid_seq') FROM generate_series(1, $1)",
                                                [.int8(Int64(wanted))], prepareAs: "new_oids")
                    var oids: [UInt64] = []
                    oids.reserveCapacity(rows.rowCount)
                    for row in 0..<rows.rowCount { oids.append(UInt64(try rows.int64(row, 0) ?? 0)) }
                    return oids
                }
                reserved += fetched.sorted()
            }
            let handedOut = reserved[..<count].map { ObjectID($0) }
            reserved.removeFirst(count)
            return handedOut
        }
    }

    /// The TID of the last committed transaction, `TransactionID.zero` when there is none.
    public func lastTransaction() throws(StorageError) -> TransactionID {
        try withReader { (handle) throws(StorageError) -> TransactionID in
            try PostgresQueries.lastTransaction(on: handle)
        }
    }

    /// The objects whose current state was written in `(after, through]`, by TID then OID.
    public func listChanges(after: TransactionID, through: TransactionID) throws(StorageError) -> [ObjectChange] {
        try withReader { (handle) throws(StorageError) -> [ObjectChange] in
            try PostgresQueries.listChanges(on: handle, after: after, through: through)
        }
    }

    /// The number of objects stored (including tombstones).
    public func objectCount() throws(StorageError) -> Int {
        try withReader { (handle) throws(StorageError) -> Int in
            Int(try handle.query("SELECT count(*) FROM object_state").int64(0, 0) ?? 0)
        }
    }

    /// Closes the store's own sessions. Connections made by ``connect()`` keep working until
    /// closed themselves; new ones cannot be made. Idempotent.
    public func close() {
        guard !closed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        reader.withLock { handle in
            handle?.close()
            handle = nil
        }
        writers.withLock { idle in
            idle.forEach { $0.handle.close() }
            idle.removeAll()
        }
    }

    /// True after ``close()``.
    public var isClosed: Bool { closed.load(ordering: .acquiring) }

    /// Traps if an internal invariant does not hold.
    func checkInvariants() {
        reservedOIDs.withLock { reserved in
            for (earlier, later) in zip(reserved, reserved.dropFirst()) {
                precondition(earlier < later, "reserved OIDs out of order or repeated: \(earlier), \(later)")
            }
        }
        writers.withLock { idle in
            for session in idle { precondition(!session.handle.isInTransaction, "an idle writer session is inside a transaction") }
        }
    }

    // MARK: - Sessions

    /// A new session to the database. The store is open, so a server that cannot be reached
    /// now is a lost connection (`StorageError.Code.connectionLost`, retryable), not
    /// `cannotConnect`.
    func openSession() throws(StorageError) -> PostgresConnectionHandle {
        do throws(StorageError) {
            return try PostgresConnectionHandle.connect(to: target, location: location, connectTimeout: options.connectTimeout)
        } catch {
            throw PostgresErrorClassification.reconnectFailure(error)
        }
    }

    /// Runs `body` on the store's reader session. A session found dead — the server restarted
    /// or cut it while idle — is replaced and `body` (a read, safe to repeat) runs again once.
    private func withReader<R>(_ body: (PostgresConnectionHandle) throws(StorageError) -> R) throws(StorageError) -> R {
        try reader.withLock { (handle) throws(StorageError) -> R in
            guard !isClosed else { throw .closed }
            var reused = true
            if handle == nil || handle!.isBroken {
                handle?.close()
                handle = try openSession()
                reused = false
            }
            do throws(StorageError) {
                return try body(handle!)
            } catch {
                guard reused, error.code == .connectionLost else { throw error }
                handle?.close()
                handle = try openSession()
                return try body(handle!)
            }
        }
    }

    /// Runs `body` inside a transaction (`BEGIN` done) on a writer session (see
    /// ``withWriterSession(_:)``).
    func inWriteTransaction<R>(_ body: (PostgresWriterSession) throws(StorageError) -> R) throws(StorageError) -> R {
        try withWriterSession { (session, began) throws(StorageError) -> R in
            try session.handle.execute("BEGIN")
            began = true
            return try body(session)
        }
    }

    /// Runs `body` on an idle writer session, or a new one when none is idle, and returns the
    /// session to the pool afterwards unless it broke; a transaction `body` leaves open is
    /// rolled back when it throws.
    ///
    /// `body` begins its own transaction and sets its `began` argument once the server
    /// answered that `BEGIN`. A pooled session lost before then died while idle, and nothing
    /// of `body` reached the server: the session is replaced by a new one and `body` runs
    /// again, once.
    func withWriterSession<R>(_ body: (PostgresWriterSession, inout Bool) throws(StorageError) -> R) throws(StorageError) -> R {
        guard !isClosed else { throw .closed }
        if let idle = writers.withLock({ $0.popLast() }) {
            var began = false
            do throws(StorageError) {
                return try run(body, on: idle, began: &began)
            } catch {
                guard !began, error.code == .connectionLost else { throw error }
            }
        }
        var began = false
        return try run(body, on: openWriterSession(), began: &began)
    }

    /// Runs `body` on `session`, then pools the session again or closes it.
    private func run<R>(_ body: (PostgresWriterSession, inout Bool) throws(StorageError) -> R, on session: PostgresWriterSession,
                        began: inout Bool) throws(StorageError) -> R {
        defer {
            session.transactionEnded()
            let handle = session.handle
            if handle.isBroken || handle.isInTransaction || isClosed {
                handle.close()
            } else {
                writers.withLock { $0.append(session) }
            }
        }
        do throws(StorageError) {
            return try body(session, &began)
        } catch {
            session.handle.rollbackQuietly()
            throw error
        }
    }

    /// A new writer session: the lock timeout and generic plans set, the upload table
    /// created. The table has no index and no `ON COMMIT DELETE ROWS` (its truncation costs a
    /// millisecond per commit — measured with pgbench: 780 against 6,800 transactions/s); a
    /// commit that used it moves its rows out with `DELETE … RETURNING`, and a rollback
    /// discards them.
    private func openWriterSession() throws(StorageError) -> PostgresWriterSession {
        let handle = try openSession()
        let timeout = options.lockTimeout.components
        let milliseconds = timeout.seconds * 1000 + timeout.attoseconds / 1_000_000_000_000_000
        do throws(StorageError) {
            // Generic plans for the commit's prepared statements: left to choose, PostgreSQL
            // may keep planning them anew on every execution (a custom plan looks cheaper for
            // one-element arrays), and planning the write costs more than running it.
            try handle.execute("""
                SET lock_timeout = \(max(1, milliseconds));
                SET plan_cache_mode = force_generic_plan;
                CREATE TEMPORARY TABLE statecache_upload (zoid int8 NOT NULL, expected_tid int8, state bytea NOT NULL);
                """)
        } catch {
            handle.close()
            throw error
        }
        return PostgresWriterSession(handle: handle)
    }
}
