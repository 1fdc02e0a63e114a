import CSQLite
import StateVocabulary
import Foundation
import Synchronization

/// A history-free object storage in one SQLite database directory, shared by the threads of
/// a process and by the processes of one machine (`docs/storage-sqlite.md`).
///
/// ```swift
/// let store = try SQLiteObjectStore.open(at: directory)
/// let connection = try store.connect()            // one per thread
/// _ = try connection.poll()                       // start a snapshot
/// let oid = try store.newOIDs(count: 1)[0]
/// connection.store(oid, state, expecting: nil)    // nil: a new object
/// let tid = try connection.commit()
/// ```
///
/// **Concurrency.** The store is `Sendable`; share one per process. Its concurrency rules are
/// those of SQLite's WAL mode, expressed by the types: any number of readers — each
/// ``SQLiteConnection`` owns a reader connection and is used by one thread at a time — and
/// one writer. The store owns the process's writer, behind a mutex, so threads of one process
/// queue for it without polling, and processes queue for SQLite's write lock with the busy
/// timeout. Readers never wait for the writer.
///
/// **Guarantees.** Each committed transaction gets a TID strictly greater than every earlier
/// one and not earlier than the wall clock (UTC, as a ZODB TimeStamp). A commit either
/// writes all its objects or none; it fails with `StorageError.Code.conflict` when any
/// object changed since the TID its writer expected. With `synchronous = NORMAL` a commit
/// survives a crash of the process; a power failure may lose the last commits (never corrupts).
/// ``newOIDs(count:)`` never returns the same OID twice, across processes, crashes and
/// restarts.
///
/// **Files.** `objects.sqlite3` (objects, transactions, identity) and `oids.sqlite3` (the OID
/// allocator) in the directory, each with its `-wal`/`-shm`; `docs/storage-sqlite.md` says how to back
/// them up while in use (objects first, then OIDs).
public final class SQLiteObjectStore: ObjectStore {
    /// The database directory.
    public let directory: URL
    /// The options the store was opened with.
    public let options: SQLiteStorageOptions
    /// The database's permanent identity, created with it.
    public let identity: DatabaseIdentity

    /// The directory's name (the default cache prefix).
    public var databaseName: String { directory.standardizedFileURL.lastPathComponent }
    /// The directory's path.
    public var location: String { directory.path }
    /// True: in WAL mode a read transaction never waits for the writer (commits and OID
    /// allocation do, for the write lock).
    public var readsNeverWait: Bool { true }

    /// The object database file.
    public var objectsDatabaseURL: URL { directory.appendingPathComponent(StorageDirectory.objectsFileName) }
    /// The OID database file.
    public var oidDatabaseURL: URL { directory.appendingPathComponent(StorageDirectory.oidsFileName) }

    let objectsPath: String
    /// The process's one write connection to the object database; nil when read-only or closed.
    let writer: Locked<SQLiteConnectionHandle?>
    /// A read connection for the store-level queries; nil when closed.
    private let reader: Locked<SQLiteConnectionHandle?>
    /// The OID allocator; nil when read-only or closed.
    private let allocator: Locked<OIDAllocator?>
    /// Set by ``close()``.
    private let closed = Atomic<Bool>(false)

    private init(directory: URL, options: SQLiteStorageOptions, identity: DatabaseIdentity, objectsPath: String,
                 writer: sending SQLiteConnectionHandle?, reader: sending SQLiteConnectionHandle,
                 allocator: sending OIDAllocator?) {
        self.directory = directory
        self.options = options
        self.identity = identity
        self.objectsPath = objectsPath
        self.writer = Locked(writer)
        self.reader = Locked(reader)
        self.allocator = Locked(allocator)
    }

    /// Opens the database in `directory`, creating the directory and the databases when
    /// missing (unless `options.createIfMissing` is off or `options.readOnly` is on).
    ///
    /// - Throws: a `StorageError` naming the problem: `StorageError.Code.notADatabase`,
    ///   `StorageError.Code.foreignDatabase`, `StorageError.Code.newerSchema`,
    ///   `StorageError.Code.directoryNotWritable`, `StorageError.Code.notFound`,
    ///   `StorageError.Code.corrupt`, `StorageError.Code.busy` (another process
    ///   held the database for longer than the busy timeout while it was being created), …
    public static func open(at directory: URL, options: SQLiteStorageOptions = .init()) throws(StorageError) -> SQLiteObjectStore {
        try options.validate()
        let files = StorageDirectory(url: directory)
        try files.prepare(createIfMissing: options.createIfMissing, readOnly: options.readOnly)
        let path = files.objectsPath

        if options.readOnly {
            let reader: SQLiteConnectionHandle
            do {
                reader = try openReader(path: path, options: options)
                try Schema.objects.prepare(reader, readOnly: true)
            } catch {
                // Reading a WAL database needs its -shm and -wal files; in a directory we
                // cannot write they must exist already (another process has the database open).
                switch error.code {
                case .readOnly where error.backendDetail != nil, .cannotOpen:
                    if access(directory.path, W_OK) != 0 { throw .directoryNotWritable(path: directory.path) }
                default: break
                }
                throw error
            }
            if options.verifyOnOpen { try quickCheck(reader) }
            let identity = try readIdentity(reader)
            return SQLiteObjectStore(directory: directory, options: options, identity: identity, objectsPath: path,
                                     writer: nil, reader: reader, allocator: nil)
        }

        let writer = try SQLiteConnectionHandle.open(path: path, readOnly: false, create: true,
                                                     busyTimeout: options.busyTimeout)
        // The page size only takes effect on a file without pages yet; on others it is a no-op.
        try writer.execute("PRAGMA page_size = \(options.pageSize)")
        // Look before writing anything: a foreign or newer file is reported and left untouched.
        _ = try Schema.objects.check(Schema.objects.inspect(writer), path: path)
        try enableWAL(writer)
        try writer.execute("""
            PRAGMA synchronous = NORMAL;
            PRAGMA cache_size = -\(options.cacheSizeKiB);
            PRAGMA mmap_size = \(options.mmapSizeMiB << 20);
            PRAGMA journal_size_limit = \(16 << 20);
            """)
        try Schema.objects.prepare(writer, readOnly: false)
        if options.verifyOnOpen { try quickCheck(writer) }
        let identity = try readIdentity(writer)
        let highest = try writer.int64("SELECT max(zoid) FROM object_state") ?? 0
        let allocator = try OIDAllocator.open(path: files.oidsPath, identity: identity,
                                              highestStoredOID: UInt64(max(0, highest)), options: options)
        let reader = try openReader(path: path, options: options)
        return SQLiteObjectStore(directory: directory, options: options, identity: identity, objectsPath: path,
                                 writer: writer, reader: reader, allocator: allocator)
    }

    /// Opens a connection with its own read snapshot, for one thread at a time.
    public func connect() throws(StorageError) -> SQLiteConnection {
        guard !isClosed else { throw .closed }
        let handle = try Self.openReader(path: objectsPath, options: options)
        return try SQLiteConnection(store: self, handle: handle)
    }

    /// `count` OIDs never handed out before, by any process.
    ///
    /// - Complexity: O(`count`); a small write to the OID database once per block
    ///   (`options.oidBlockSize`).
    public func newOIDs(count: Int) throws(StorageError) -> [ObjectID] {
        try allocator.withLock { (allocator) throws(StorageError) -> [ObjectID] in
            guard let allocator else {
                throw isClosed ? .closed : .readOnly(path: directory.appendingPathComponent(StorageDirectory.oidsFileName).path, nil)
            }
            return try allocator.allocate(count: count)
        }
    }

    /// The objects whose current state was written in `(after, through]`, ordered by TID then
    /// OID, as of the latest commit. History-free: an object changed again after `through`
    /// is not listed (its current TID is outside the range).
    ///
    /// - Complexity: a range scan of the `tid` index, O(log n + changes).
    public func listChanges(after: TransactionID, through: TransactionID) throws(StorageError) -> [ObjectChange] {
        try withReader { (handle) throws(StorageError) in try Self.listChanges(on: handle, after: after, through: through) }
    }

    /// The TID of the last committed transaction, `TransactionID.zero` when there is none.
    public func lastTransaction() throws(StorageError) -> TransactionID {
        try withReader { (handle) throws(StorageError) in try Self.lastTransaction(on: handle) }
    }

    /// The number of objects stored (including those whose state is empty).
    ///
    /// - Complexity: O(n) — SQLite counts the rows of the smallest index.
    public func objectCount() throws(StorageError) -> Int {
        try withReader { (handle) throws(StorageError) in Int(try handle.int64("SELECT count(*) FROM object_state") ?? 0) }
    }

    /// Closes the store's own connections, after `PRAGMA optimize` (which refreshes the query
    /// planner's statistics when the tables changed a lot). Idempotent.
    ///
    /// Connections made by ``connect()`` keep working until they are closed themselves; new
    /// ones cannot be made. The optimize step is best-effort: if another process holds the
    /// write lock it is skipped rather than waited for.
    public func close() {
        guard !closed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        writer.withLock { handle in
            if let handle {
                handle.setBusyTimeout(.milliseconds(50))
                try? handle.execute("PRAGMA analysis_limit = 1000; PRAGMA optimize")
                handle.close()
            }
            handle = nil
        }
        reader.withLock { handle in
            handle?.close()
            handle = nil
        }
        allocator.withLock { allocator in
            allocator?.close()
            allocator = nil
        }
    }

    /// True after ``close()``.
    public var isClosed: Bool { closed.load(ordering: .acquiring) }

    /// Traps if an internal invariant does not hold (tests call it after concurrent runs).
    func checkInvariants() {
        allocator.withLock { $0?.checkInvariants() }
        Schema.objects.checkInvariants()
        Schema.oids.checkInvariants()
    }

    // MARK: - Shared helpers

    /// Runs `body` on the store's reader connection.
    private func withReader<R: Sendable>(_ body: (SQLiteConnectionHandle) throws(StorageError) -> R) throws(StorageError) -> R {
        try reader.withLock { (handle) throws(StorageError) -> R in
            guard let handle else { throw .closed }
            return try body(handle)
        }
    }

    /// The change list query, shared by the store and its connections.
    static let listChangesSQL = "SELECT zoid, tid FROM object_state WHERE tid > ? AND tid <= ? ORDER BY tid, zoid"

    static func listChanges(on handle: SQLiteConnectionHandle, after: TransactionID, through: TransactionID) throws(StorageError) -> [ObjectChange] {
        // Stored TIDs are below 2⁶³ (they are allocated that way), so a bound above it — such
        // as `TransactionID.max`, whose bit pattern is negative as an SQLite integer — means "all".
        let limit = UInt64(Int64.max)
        let upper = min(through.rawValue, limit)
        guard after.rawValue < upper else { return [] }
        let statement = try handle.statement(listChangesSQL)
        defer { statement.reset() }
        try statement.bind(after.rawValue, at: 1)
        try statement.bind(upper, at: 2)
        var changes: [ObjectChange] = []
        while try statement.step() {
            changes.append(ObjectChange(oid: ObjectID(statement.uint64(at: 0)), tid: TransactionID(statement.uint64(at: 1))))
        }
        return changes
    }

    static func lastTransaction(on handle: SQLiteConnectionHandle) throws(StorageError) -> TransactionID {
        TransactionID(UInt64(bitPattern: try handle.int64("SELECT max(tid) FROM transaction_log") ?? 0))
    }

    /// Opens a connection that only reads the object database.
    static func openReader(path: String, options: SQLiteStorageOptions) throws(StorageError) -> SQLiteConnectionHandle {
        let handle = try SQLiteConnectionHandle.open(path: path, readOnly: options.readOnly, create: false,
                                                     busyTimeout: options.busyTimeout)
        try handle.execute("PRAGMA cache_size = -\(options.cacheSizeKiB); PRAGMA mmap_size = \(options.mmapSizeMiB << 20)")
        if !options.readOnly { try handle.execute("PRAGMA query_only = 1") }
        return handle
    }

    /// Switches the file to WAL (a no-op when it already is) and checks that SQLite agreed.
    private static func enableWAL(_ handle: SQLiteConnectionHandle) throws(StorageError) {
        let statement = try handle.prepare("PRAGMA journal_mode = WAL")
        guard try statement.step(), statement.text(at: 0).lowercased() == "wal" else {
            throw .sqlite(SQLiteFailure(extendedCode: SQLITE_ERROR, message: "SQLite refused WAL mode for \(handle.context.path) "
                                        + "(a file system without shared memory?)", sql: statement.sql))
        }
    }

    /// `PRAGMA quick_check`; anything but a single `ok` is corruption.
    private static func quickCheck(_ handle: SQLiteConnectionHandle) throws(StorageError) {
        let statement = try handle.prepare("PRAGMA quick_check")
        var lines: [String] = []
        while try statement.step() { lines.append(statement.text(at: 0)) }
        if lines != ["ok"] {
            throw .corrupt(path: handle.context.path,
                           SQLiteFailure(extendedCode: SQLITE_CORRUPT, message: lines.prefix(10).joined(separator: "; "), sql: statement.sql))
        }
    }

    /// The identity recorded at creation.
    private static func readIdentity(_ handle: SQLiteConnectionHandle) throws(StorageError) -> DatabaseIdentity {
        let statement = try handle.prepare("SELECT identity FROM database_info WHERE id = 0")
        guard try statement.step(), let identity = DatabaseIdentity(bytes: statement.blob(at: 0)) else {
            throw .foreignDatabase(path: handle.context.path, detail: "no database identity in database_info")
        }
        return identity
    }
}
