import StateVocabulary

/// Every way an object storage (SQLite or PostgreSQL) can fail, as one typed error.
///
/// Errors that come from SQLite carry a ``SQLiteFailure`` (result code, message, SQL), those
/// from PostgreSQL a ``PostgresFailure`` (SQLSTATE, message, SQL); a conflict is the same
/// case on both backends. Databases that are not ours — not a SQLite database at all, someone else's SQLite database, a newer
/// schema than this build knows — get their own cases, so a caller can tell "wrong path" from
/// "upgrade the software" from "try again later" without parsing messages. None of them is
/// ever a crash.
///
/// ``isRetryable`` says which failures a transaction loop may answer by starting the
/// transaction over (abort, poll, read, store, commit); ``commitOutcomeUnknown(_:)`` is the one
/// failure that must be settled first, since the commit may have been written.
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
    /// Opening a PostgreSQL store failed: the server could not be reached or refused the
    /// session (wrong host, port or socket directory, no such database, authentication, a
    /// server down or starting up); `message` is libpq's. Only opening throws it: once a store
    /// is open, a session that cannot be made again is ``connectionLost(_:)``.
    case cannotConnect(location: String, message: String)
    /// The PostgreSQL server went away or closed the session during a call, or a session of an
    /// open store could not be made again (the server is restarting, or unreachable). The
    /// transaction in progress was aborted on the server: nothing of a commit that fails this
    /// way was written. The connection reconnects at its next poll. Retryable.
    case connectionLost(PostgresFailure)
    /// The PostgreSQL session was lost while `COMMIT` was under way: the server may have
    /// committed the transaction or not, and no answer came back. Not retryable as it stands:
    /// poll (which reconnects) and read the objects to learn whether the commit landed. The
    /// connection keeps the buffered stores, and committing them again is safe — if the first
    /// commit landed, every object it wrote has a new TID and the retry fails with
    /// ``conflict(oids:)`` instead of writing twice.
    case commitOutcomeUnknown(PostgresFailure)
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
             .cannotConnect, .connectionLost, .commitOutcomeUnknown, .postgres:
            return nil
        }
    }

    /// The PostgreSQL details, when the error came from PostgreSQL.
    public var postgresFailure: PostgresFailure? {
        switch self {
        case .connectionLost(let failure), .commitOutcomeUnknown(let failure), .postgres(let failure): return failure
        default: return nil
        }
    }

    /// Whether starting the transaction over (abort, poll, read again, store, commit) can
    /// succeed where this attempt failed, with nothing of this attempt written:
    ///
    /// - ``conflict(oids:)``: another transaction changed the objects first;
    /// - ``connectionLost(_:)``: the session went away before `COMMIT` (the next poll
    ///   reconnects; while the server is down, that poll fails the same way — wait between
    ///   attempts);
    /// - ``busy(_:timeout:)``: SQLite's write lock stayed taken past the busy timeout;
    /// - ``postgres(_:)`` with a transient SQLSTATE (``PostgresFailure/isTransient``:
    ///   serialization failure, deadlock, lock timeout).
    ///
    /// ``commitOutcomeUnknown(_:)`` is deliberately not retryable: the commit may have been
    /// written, so the caller settles it first (poll, read the objects). Everything else — a
    /// wrong path or URL (``cannotConnect(location:message:)`` comes only from opening), a
    /// foreign or newer database, a closed store, a load before the first poll — fails the same
    /// way every time.
    public var isRetryable: Bool {
        switch self {
        case .conflict, .connectionLost, .busy: return true
        case .postgres(let failure): return failure.isTransient
        default: return false
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
        case .commitOutcomeUnknown(let failure):
            return "the PostgreSQL connection was lost during COMMIT: the transaction may or may not have been "
                + "committed (poll and read the objects to find out): \(failure)"
        case .postgres(let failure):
            return failure.description
        }
    }
}
