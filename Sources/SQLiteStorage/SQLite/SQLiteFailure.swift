import CSQLite

/// What SQLite said when a call failed: the extended result code, SQLite's message, and the
/// SQL that was running.
///
/// Every `StorageError` that comes from SQLite carries one as its `backendDetail` (read it with
/// `error.sqliteFailure`), so a log line is enough to tell "the database is locked"
/// (`SQLITE_BUSY`, 5) from "the disk is full" (`SQLITE_FULL`, 13) and to see which statement
/// hit it. It lives here, with the SQLite wrapper, so that the storage contract links no C
/// library.
public struct SQLiteFailure: StorageBackendDetail, Hashable {
    /// The extended result code (`sqlite3_extended_errcode`), e.g. 517 = `SQLITE_BUSY_SNAPSHOT`.
    public var extendedCode: Int32
    /// The message SQLite gave (`sqlite3_errmsg`), or the generic text of the code.
    public var message: String
    /// The SQL that failed; nil for failures outside a statement (opening a file).
    public var sql: String?

    /// Creates a failure description.
    package init(extendedCode: Int32, message: String, sql: String?) {
        self.extendedCode = extendedCode
        self.message = message
        self.sql = sql
    }

    /// The primary result code (the low 8 bits), e.g. `SQLITE_BUSY` (5) for `SQLITE_BUSY_SNAPSHOT`.
    public var primaryCode: Int32 { extendedCode & 0xFF }

    /// SQLite's English name for the primary code (`sqlite3_errstr`), e.g. "database is locked".
    public var codeDescription: String { String(cString: sqlite3_errstr(extendedCode)) }

    /// Never: SQLite's transient failure, a lock held too long, has its own code
    /// (`StorageError.Code.busy`).
    public var isTransient: Bool { false }

    public var description: String {
        var text = "SQLite error \(extendedCode) (\(codeDescription)): \(message)"
        if let sql { text += " — SQL: \(sql)" }
        return text
    }
}
