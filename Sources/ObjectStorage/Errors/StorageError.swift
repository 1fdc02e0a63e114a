import StateVocabulary

/// Every way an object storage can fail, as one error type whose ``code`` a caller matches.
///
/// The contract does not know its backends: a ``Code`` says what went wrong in terms every
/// storage shares (a conflict, a lost session, a database that is not ours), the ``message``
/// says it in words, and ``backendDetail`` carries what the backend itself reported — SQLite's
/// result code and message (`SQLiteFailure`, in `SQLiteStorage`), PostgreSQL's SQLSTATE and
/// severity (`PostgresFailure`, in `PostgresStorage`) — for a caller who casts it. A new code or
/// a new backend is an addition, never a source break (as with postgres-nio's `PSQLError` and
/// GRDB's `DatabaseError`).
///
/// ```swift
/// do {
///     try connection.commit()
/// } catch let error as StorageError where error.code == .conflict {
///     // poll, read again, redo: error.conflictingOIDs changed first
/// } catch StorageError.Code.commitOutcomeUnknown {
///     // settle first: poll and read the objects
/// }
/// ```
///
/// ``isRetryable`` says which failures a transaction loop may answer by starting the
/// transaction over (abort, poll, read, store, commit); ``Code/commitOutcomeUnknown`` is the
/// one failure that must be settled first, since the commit may have been written. Databases
/// that are not ours — not a database at all, someone else's, a newer schema than this build
/// knows — get their own codes, so a caller can tell "wrong path" from "upgrade the software"
/// from "try again later" without parsing messages. None of them is ever a crash.
public struct StorageError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of failure this is: a value with static members (``busy``, ``conflict``, …)
    /// that callers compare with `==`, `switch` over (with a `default`), or match in a `catch`
    /// (`catch StorageError.Code.conflict`). A backend may declare codes of its own.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// The code's stable name, e.g. `"conflict"`: what logs and metrics show.
        package let name: String

        /// A code named `name`. Declare new codes as static members of an extension of
        /// `Code`, so that every use shares one spelling.
        public init(_ name: String) { self.name = name }

        public var description: String { name }

        /// A lock stayed taken by another connection for longer than the storage's busy
        /// timeout (SQLite's `SQLITE_BUSY`). Retryable.
        public static let busy = Code("busy")
        /// Another transaction changed these objects after the TIDs the stores expected (or
        /// created objects that were stored as new). Nothing was written;
        /// ``StorageError/conflictingOIDs`` names them. Retryable.
        public static let conflict = Code("conflict")
        /// The file is not a database of the backend's kind (SQLite's `SQLITE_NOTADB`): a wrong
        /// path, or a file overwritten by something else.
        public static let notADatabase = Code("notADatabase")
        /// The backend found the database damaged (SQLite's `SQLITE_CORRUPT`, or a failed
        /// integrity check on open).
        public static let corrupt = Code("corrupt")
        /// A database, but not one of ours: a SQLite file whose `application_id` or tables are
        /// not this storage's, or a PostgreSQL database holding other tables of these names
        /// (RelStorage's, say). The message says what was found.
        public static let foreignDatabase = Code("foreignDatabase")
        /// The database was written by a newer version of this storage; upgrade the software.
        public static let newerSchema = Code("newerSchema")
        /// The database does not exist and the options do not create it.
        public static let notFound = Code("notFound")
        /// The database directory cannot be written (SQLite must create the database and its
        /// `-wal` and `-shm` files there).
        public static let directoryNotWritable = Code("directoryNotWritable")
        /// The database could not be opened for another reason (a directory in its place, no
        /// permission on the file, …).
        public static let cannotOpen = Code("cannotOpen")
        /// A write on a store opened read-only, or the backend refused to write.
        public static let readOnly = Code("readOnly")
        /// The OID database beside the main database belongs to another database (its
        /// recorded identity differs), e.g. one file restored from a different backup.
        public static let mismatchedOIDDatabase = Code("mismatchedOIDDatabase")
        /// `load` was called before the connection's first `poll()`, so there is no snapshot.
        public static let noSnapshot = Code("noSnapshot")
        /// The store or the connection was closed.
        public static let closed = Code("closed")
        /// An argument outside its domain (negative count, page size not a power of two, …).
        public static let invalidArgument = Code("invalidArgument")
        /// Opening a store failed because its server could not be reached or refused the
        /// session (wrong host, no such database, authentication, a server down). Only opening
        /// throws it: once a store is open, a session that cannot be made again is
        /// ``connectionLost``.
        public static let cannotConnect = Code("cannotConnect")
        /// The server went away or closed the session during a call, or a session of an open
        /// store could not be made again. The transaction in progress was aborted on the
        /// server: nothing of a commit that fails this way was written. The connection
        /// reconnects at its next poll. Retryable.
        public static let connectionLost = Code("connectionLost")
        /// The session was lost while `COMMIT` was under way: the server may have committed the
        /// transaction or not. Never retryable as it stands: poll (which reconnects) and read
        /// the objects to learn whether the commit landed. Committing the kept stores again is
        /// safe — if the first commit landed, the retry fails with ``conflict`` instead of
        /// writing twice.
        public static let commitOutcomeUnknown = Code("commitOutcomeUnknown")
        /// Any other failure the backend reported; ``StorageError/backendDetail`` says what.
        /// Retryable when the backend calls it transient (PostgreSQL's serialization failure,
        /// deadlock or lock timeout).
        public static let backendFailure = Code("backendFailure")
    }

    /// What kind of failure this is.
    public var code: Code
    /// What went wrong, in words (without the backend's detail, which ``description`` adds).
    public var message: String
    /// The database the failure concerns (a path, or a PostgreSQL location with its password
    /// masked), when there is one.
    public var location: String?
    /// For ``Code/conflict``: the objects another transaction changed first, sorted; empty
    /// otherwise.
    public var conflictingOIDs: [ObjectID]
    /// What the backend reported, nil when the storage itself found the problem; read it as
    /// the backend's type with ``detail(as:)``, or `sqliteFailure` / `postgresFailure` from
    /// the backend's module. (`description` always includes it.)
    package var backendDetail: (any StorageBackendDetail)?

    /// Creates an error. Backends and test doubles build their errors with this.
    public init(_ code: Code, _ message: String, location: String? = nil, conflictingOIDs: [ObjectID] = [],
                backendDetail: (any StorageBackendDetail)? = nil) {
        self.code = code
        self.message = message
        self.location = location
        self.conflictingOIDs = conflictingOIDs
        self.backendDetail = backendDetail
    }

    /// The backend's detail as `Detail`, when it is one (`error.detail(as: SQLiteFailure.self)`).
    public func detail<Detail: StorageBackendDetail>(as type: Detail.Type) -> Detail? {
        backendDetail as? Detail
    }

    /// Whether starting the transaction over (abort, poll, read again, store, commit) can
    /// succeed where this attempt failed, with nothing of this attempt written:
    ///
    /// - ``Code/conflict``: another transaction changed the objects first;
    /// - ``Code/connectionLost``: the session went away before `COMMIT` (the next poll
    ///   reconnects; while the server is down, that poll fails the same way — wait between
    ///   attempts);
    /// - ``Code/busy``: the write lock stayed taken past the busy timeout;
    /// - ``Code/backendFailure`` whose detail is transient (``StorageBackendDetail/isTransient``:
    ///   on PostgreSQL a serialization failure, a deadlock or a lock timeout).
    ///
    /// ``Code/commitOutcomeUnknown`` is never retryable: the commit may have been written, so
    /// the caller settles it first (poll, read the objects). Everything else — a wrong path or
    /// URL (``Code/cannotConnect`` comes only from opening), a foreign or newer database, a
    /// closed store, a load before the first poll, and codes this build does not know — fails
    /// the same way every time.
    public var isRetryable: Bool {
        switch code {
        case .conflict, .connectionLost, .busy: return true
        case .backendFailure: return backendDetail?.isTransient ?? false
        default: return false
        }
    }

    /// Whether two errors report the same failure: the same code, message, location and
    /// conflicting OIDs, and backend details that read the same.
    public static func == (lhs: StorageError, rhs: StorageError) -> Bool {
        lhs.code == rhs.code && lhs.message == rhs.message && lhs.location == rhs.location
            && lhs.conflictingOIDs == rhs.conflictingOIDs
            && lhs.backendDetail.map(String.init(describing:)) == rhs.backendDetail.map(String.init(describing:))
    }

    /// The message, then the backend's detail.
    public var description: String {
        guard let backendDetail else { return message }
        return message.isEmpty ? backendDetail.description : "\(message); \(backendDetail)"
    }
}

/// Matches a storage error of this code: `catch StorageError.Code.conflict { … }`, or a
/// `case StorageError.Code.busy:` in a `switch` over an error. (A free function rather than a
/// member of ``StorageError/Code``, so that the umbrella module can re-export it by name.)
public func ~= (code: StorageError.Code, error: any Error) -> Bool {
    (error as? StorageError)?.code == code
}

/// What a backend reports beside a ``StorageError``: SQLite's result code and message,
/// PostgreSQL's SQLSTATE and severity. Each backend declares its own type in its own module;
/// the contract only asks whether the failure is transient.
public protocol StorageBackendDetail: Error, Sendable, CustomStringConvertible {
    /// Whether the backend rolled the transaction back for a reason that may be gone on a
    /// second try (PostgreSQL's serialization failure, deadlock, lock timeout): what makes a
    /// ``StorageError/Code/backendFailure`` retryable.
    var isTransient: Bool { get }
}

extension StorageError {
    // The failures the storage finds itself, the same on every backend.

    /// Another transaction changed `oids` first.
    package static func conflict(oids: [ObjectID]) -> StorageError {
        let listed = oids.prefix(20).map(\.description).joined(separator: ", ") + (oids.count > 20 ? ", …" : "")
        return StorageError(.conflict, "conflict: \(oids.count) object(s) changed since they were read: \(listed)",
                            conflictingOIDs: oids)
    }

    /// A database at `path` that is not a StateCache object store.
    package static func foreignDatabase(path: String, detail: String) -> StorageError {
        StorageError(.foreignDatabase, "\(path) is a database but not a StateCache object store: \(detail)", location: path)
    }

    /// A database at `path` of schema version `found`, newer than the `supported` one.
    package static func newerSchema(path: String, found: Int32, supported: Int32) -> StorageError {
        StorageError(.newerSchema, "\(path) has schema version \(found), newer than this build supports (\(supported)); "
                        + "upgrade StateCache", location: path)
    }

    /// No database at `path`, and the options do not create one.
    package static func notFound(path: String) -> StorageError {
        StorageError(.notFound, "\(path) does not exist (and createIfMissing is off)", location: path)
    }

    /// A load before the connection's first poll.
    package static var noSnapshot: StorageError { StorageError(.noSnapshot, "no snapshot: call poll() before loading") }

    /// A call on a closed store or connection.
    package static var closed: StorageError { StorageError(.closed, "the storage or connection is closed") }

    /// An argument outside its domain.
    package static func invalidArgument(_ text: String) -> StorageError {
        StorageError(.invalidArgument, "invalid argument: \(text)")
    }
}
