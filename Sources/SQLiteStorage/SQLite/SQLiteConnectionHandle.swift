import CSQLite

/// One open SQLite connection (`sqlite3 *`) and the statements prepared on it.
///
/// A handle is used by one thread at a time — it is not `Sendable` and is opened with
/// `SQLITE_OPEN_NOMUTEX`, so SQLite does no locking of its own on it. Shared handles are kept
/// inside a ``Locked`` by their owner (``SQLiteObjectStore``); a ``SQLiteConnection`` owns its
/// reader handle outright. Statements are prepared once with ``statement(_:)`` and reused;
/// errors carry the SQLite result code and the SQL (``SQLiteFailure``).
final class SQLiteConnectionHandle {
    /// The `sqlite3 *`; valid until ``close()``.
    let pointer: OpaquePointer
    /// File and busy timeout, for error messages.
    let context: SQLiteErrorContext
    /// Statements prepared once, by SQL text.
    private var statements: [String: SQLiteStatement] = [:]
    /// True after ``close()``.
    private(set) var isClosed = false

    private init(pointer: OpaquePointer, context: SQLiteErrorContext) {
        self.pointer = pointer
        self.context = context
    }

    deinit {
        if !isClosed { close() }
    }

    /// Opens the database file at `path`.
    ///
    /// - Parameters:
    ///   - readOnly: open with `SQLITE_OPEN_READONLY` (no writes, no file creation).
    ///   - create: create the file when missing (ignored when `readOnly`).
    ///   - busyTimeout: how long a statement waits for another connection's lock before
    ///     failing with `StorageError.Code.busy`.
    static func open(path: String, readOnly: Bool, create: Bool,
                     busyTimeout: Duration) throws(StorageError) -> SQLiteConnectionHandle {
        let context = SQLiteErrorContext(path: path, busyTimeout: busyTimeout)
        var flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE
        if readOnly {
            flags |= SQLITE_OPEN_READONLY
        } else {
            flags |= SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0)
        }
        var db: OpaquePointer?
        let code = sqlite3_open_v2(path, &db, flags, nil)
        guard code == SQLITE_OK, let db else {
            // Even a failed open may allocate a handle, which carries the message.
            let error = context.error(code: code == SQLITE_OK ? SQLITE_CANTOPEN : code, db: db, sql: nil)
            sqlite3_close_v2(db)
            throw error
        }
        sqlite3_busy_timeout(db, Self.milliseconds(busyTimeout))
        return SQLiteConnectionHandle(pointer: db, context: context)
    }

    /// `duration` in whole milliseconds, clamped to what `sqlite3_busy_timeout` accepts.
    static func milliseconds(_ duration: Duration) -> Int32 {
        let parts = duration.components
        let millis = Double(parts.seconds) * 1000 + Double(parts.attoseconds) / 1e15
        return Int32(max(0, min(Double(Int32.max), millis.rounded(.up))))
    }

    /// Changes how long statements wait for another connection's lock.
    func setBusyTimeout(_ timeout: Duration) {
        sqlite3_busy_timeout(pointer, Self.milliseconds(timeout))
    }

    /// Runs one or more SQL statements that take no parameters and return no rows of interest.
    func execute(_ sql: String) throws(StorageError) {
        let code = sqlite3_exec(pointer, sql, nil, nil, nil)
        if code != SQLITE_OK { throw context.error(code: code, db: pointer, sql: sql) }
    }

    /// Prepares `sql` without caching it (for statements run once, such as schema changes).
    func prepare(_ sql: String, persistent: Bool = false) throws(StorageError) -> SQLiteStatement {
        var statement: OpaquePointer?
        let flags: UInt32 = persistent ? UInt32(SQLITE_PREPARE_PERSISTENT) : 0
        let code = sqlite3_prepare_v3(pointer, sql, -1, flags, &statement, nil)
        guard code == SQLITE_OK, let statement else {
            sqlite3_finalize(statement)
            throw context.error(code: code == SQLITE_OK ? SQLITE_MISUSE : code, db: pointer, sql: sql)
        }
        return SQLiteStatement(pointer: statement, sql: sql, context: context)
    }

    /// The statement for `sql`, prepared on first use and reused afterwards.
    ///
    /// The caller must ``SQLiteStatement/reset()`` it after use (``SQLiteStatement/step()``
    /// alone leaves it mid-execution).
    func statement(_ sql: String) throws(StorageError) -> SQLiteStatement {
        if let cached = statements[sql] { return cached }
        let prepared = try prepare(sql, persistent: true)
        statements[sql] = prepared
        return prepared
    }

    /// Runs `sql` (cached) with integer `arguments` and returns the first column of the first
    /// row; nil when there is no row or the value is NULL.
    func int64(_ sql: String, _ arguments: Int64...) throws(StorageError) -> Int64? {
        let statement = try statement(sql)
        defer { statement.reset() }
        for (offset, argument) in arguments.enumerated() {
            try statement.bind(argument, at: Int32(offset + 1))
        }
        guard try statement.step(), !statement.isNull(at: 0) else { return nil }
        return statement.int64(at: 0)
    }

    /// True while a transaction is open (`sqlite3_get_autocommit` is 0).
    var isInTransaction: Bool { sqlite3_get_autocommit(pointer) == 0 }

    /// Rolls back an open transaction, ignoring errors (used on error paths, where the first
    /// error is the one worth reporting).
    func rollbackQuietly() {
        if isInTransaction { sqlite3_exec(pointer, "ROLLBACK", nil, nil, nil) }
    }

    /// Finalizes every cached statement and closes the connection. Idempotent.
    ///
    /// Uses `sqlite3_close_v2`, which defers the close until statements still referenced
    /// elsewhere are finalized, so the order in which owners let go does not matter.
    func close() {
        guard !isClosed else { return }
        isClosed = true
        for statement in statements.values { statement.finalize() }
        statements.removeAll()
        sqlite3_close_v2(pointer)
    }
}
