import CSQLite

/// What a failing SQLite call needs to become a ``StorageError``: the file it was working on
/// and the busy timeout it waited for.
///
/// Kept by every handle and statement so that the error path, which is cold, can say which
/// file and which timeout without the hot path carrying anything more than a pointer.
struct SQLiteErrorContext: Sendable {
    /// The database file.
    var path: String
    /// The busy timeout set on the connection.
    var busyTimeout: Duration

    /// Turns a failed result `code` into the matching ``StorageError``.
    ///
    /// Reads `sqlite3_errmsg(db)` for the message when `db` is given (the message of the most
    /// recent failed call on that connection), else uses SQLite's generic text for the code.
    func error(code: Int32, db: OpaquePointer?, sql: String?) -> StorageError {
        let extended = db.map { sqlite3_extended_errcode($0) } ?? code
        // `sqlite3_extended_errcode` describes the last call on the connection; trust it only
        // when it agrees with the code we were given.
        let resolved = (extended & 0xFF) == (code & 0xFF) ? extended : code
        let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(code))
        let failure = SQLiteFailure(extendedCode: resolved, message: message, sql: sql)
        switch code & 0xFF {
        case SQLITE_BUSY, SQLITE_LOCKED: return .busy(failure, timeout: busyTimeout)
        case SQLITE_NOTADB: return .notADatabase(path: path, failure)
        case SQLITE_CORRUPT: return .corrupt(path: path, failure)
        case SQLITE_READONLY: return .readOnly(path: path, failure)
        case SQLITE_CANTOPEN: return .cannotOpen(path: path, failure)
        default: return .sqlite(failure)
        }
    }
}
