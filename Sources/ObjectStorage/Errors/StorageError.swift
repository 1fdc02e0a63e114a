import CacheCore

/// Every way an object storage (SQLite or PostgreSQL) can fail, as one typed error.
///
/// Errors that come from SQLite carry a ``SQLiteFailure`` (result code, message, SQL), those
/// from PostgreSQL a ``PostgresFailure`` (SQLSTATE, message, SQL); a conflict is the same
/// case on both backends. Databases that are not ours — not a SQLite database at all, someone else's SQLite database, a newer
/// schema than this build knows — get their own cases, so a caller can tell "wrong path" from
/// "upgrade the software" from "try again later" without parsing messages. None of them is
/// ever a crash.
public enum StorageError: Error, Hashable, CustomStringConvertible {
    /// The database stayed locked by another connection for longer than the busy timeout.
    case busy(SQLiteFailure, timeout: Duration)
    /// Another transaction changed these objects after the TIDs the stores expected (or
    /// created objects that were stored as new). Nothing was written. Sorted by OID.
    case conflict(oids: [ObjectID])
    /// The file is not a SQLite database (`SQLITE_NOTADB`): a wrong path, or a file
    /// overwritten by something else.
    case notADatabase(path: String, SQLiteFailure)
    /// SQLite found the file damaged (`SQLITE_CORRUPT`, or a failed `quick_check` on open).
    case corrupt(path: String, SQLiteFailure)
    /// A database, but not one of ours: a SQLite file whose `application_id` or tables are
    /// not this storage's, or a PostgreSQL database holding other tables of these names
    /// (RelStorage's, say). `detail` says what was found.
    case foreignDatabase(path: String, detail: String)
    /// The database was written by a newer version of this storage (SQLite's `user_version`,
    /// PostgreSQL's `statecache_info.schema_version` = `found`); this build understands
    /// versions up to `supported`.
    case newerSchema(path: String, found: Int32, supported: Int32)
    /// The database directory (or file) does not exist and `createIfMissing` is off.
    case notFound(path: String)
    /// The database directory cannot be written: SQLite needs to create files there (the
    /// database, its `-wal` and `-shm`). A read-only store can read it only while the `-wal`
    /// and `-shm` files exist (another process has the database open).
    case directoryNotWritable(path: String)
    /// SQLite could not open the file for another reason (a directory in its place, no
    /// permission on the file, …).
    case cannotOpen(path: String, SQLiteFailure)
    /// A write on a store opened read-only, or SQLite refused to write (`SQLITE_READONLY`).
    case readOnly(path: String, SQLiteFailure?)
    /// The OID database beside the main database belongs to another database (its recorded
    /// identity differs), e.g. one file restored from a different backup, or an interrupted
    /// ``SQLiteObjectStore/renewIdentity(at:options:)`` — which, run again, repairs it.
    case mismatchedOIDDatabase(path: String, expected: DatabaseIdentity, found: DatabaseIdentity)
    /// `load` was called before the connection's first `poll()`, so there is no snapshot.
    case noSnapshot
    /// The store or the connection was closed.
    case closed
    /// An argument outside its domain (negative count, page size not a power of two, …).
    case invalidArgument(String)
    /// Any other SQLite failure.
    case sqlite(SQLiteFailure)
    /// The PostgreSQL server could not be reached or refused the connection (wrong host,
    /// port or socket directory, no such database, authentication); `message` is libpq's.
    case cannotConnect(location: String, message: String)
    /// The PostgreSQL server went away or closed the session during a call. The transaction
    /// in progress was aborted on the server (a commit whose outcome is unknown shows up, or
    /// not, in the next poll); the connection reconnects at its next poll.
    case connectionLost(PostgresFailure)
    /// Any other PostgreSQL failure.
    case postgres(PostgresFailure)

    /// The SQLite details, when the error came from SQLite.
    public var sqliteFailure: SQLiteFailure? {
        switch self {
        case .busy(let failure, _), .notADatabase(_, let failure), .corrupt(_, let failure),
             .cannotOpen(_, let failure), .sqlite(let failure):
            return failure
        case .readOnly(_, let failure):
            return failure
        case .conflict, .foreignDatabase, .newerSchema, .notFound, .directoryNotWritable,
             .mismatchedOIDDatabase, .noSnapshot, .closed, .invalidArgument,
             .cannotConnect, .connectionLost, .postgres:
            return nil
        }
    }

    /// The PostgreSQL details, when the error came from PostgreSQL.
    public var postgresFailure: PostgresFailure? {
        switch self {
        case .connectionLost(let failure), .postgres(let failure): return failure
        default: return nil
        }
    }

    public var description: String {
        switch self {
        case .busy(let failure, let timeout):
            return "database is locked: gave up after the busy timeout (\(timeout)); \(failure)"
        case .conflict(let oids):
            return "conflict: \(oids.count) object(s) changed since they were read: "
                + oids.prefix(20).map(\.description).joined(separator: ", ") + (oids.count > 20 ? ", …" : "")
        case .notADatabase(let path, let failure):
            return "\(path) is not a SQLite database; \(failure)"
        case .corrupt(let path, let failure):
            return "\(path) is corrupt; \(failure)"
        case .foreignDatabase(let path, let detail):
            return "\(path) is a database but not a StateCache object store: \(detail)"
        case .newerSchema(let path, let found, let supported):
            return "\(path) has schema version \(found), newer than this build supports (\(supported)); upgrade StateCache"
        case .notFound(let path):
            return "\(path) does not exist (and createIfMissing is off)"
        case .directoryNotWritable(let path):
            return "the database directory \(path) is not writable (SQLite must create the database and its -wal and -shm files there)"
        case .cannotOpen(let path, let failure):
            return "cannot open \(path); \(failure)"
        case .readOnly(let path, let failure):
            return "\(path) is read-only" + (failure.map { "; \($0)" } ?? "")
        case .mismatchedOIDDatabase(let path, let expected, let found):
            return "\(path) belongs to database \(found), not \(expected) "
                + "(after restoring from backups, run SQLiteObjectStore.renewIdentity)"
        case .noSnapshot:
            return "no snapshot: call poll() before loading"
        case .closed:
            return "the storage or connection is closed"
        case .invalidArgument(let text):
            return "invalid argument: \(text)"
        case .sqlite(let failure):
            return failure.description
        case .cannotConnect(let location, let message):
            return "cannot connect to PostgreSQL at \(location): \(message)"
        case .connectionLost(let failure):
            return "the PostgreSQL connection was lost (the transaction was aborted): \(failure)"
        case .postgres(let failure):
            return failure.description
        }
    }
}
