import StateVocabulary

/// A history-free object storage that a ``StateCache`` database sits in front of: the SQLite
/// store of one machine, or a PostgreSQL database shared by many.
///
/// Everything above the storage — views, checkpoints, cache files, traces — talks to it
/// through this protocol and ``ObjectStoreConnection``, so both backends give the cache the
/// same guarantees: each commit gets a TID strictly greater than every earlier one and becomes
/// visible in TID order; a commit writes all its objects or none, and fails with
/// `StorageError.Code.conflict` when an object changed since the TID its writer expected;
/// ``newOIDs(count:)`` never hands out an OID twice, across processes and machines.
///
/// A store is shared by the threads of a process; each thread opens its own connection.
public protocol ObjectStore: AnyObject, Sendable {
    /// The kind of connection ``connect()`` opens.
    associatedtype Connection: ObjectStoreConnection

    /// The database's permanent identity, created with it (cache files are bound to it).
    var identity: DatabaseIdentity { get }
    /// A short name for the database (the directory's or the PostgreSQL database's name): the
    /// default cache prefix.
    var databaseName: String { get }
    /// Where the database is, for messages: a directory path or a URL without its password.
    var location: String { get }
    /// True when a connection's reads — polls and loads in its snapshot — never wait for
    /// another connection or a network round trip, only for the disk (SQLite in WAL mode:
    /// readers never wait for the writer); false when any call may wait (PostgreSQL). An async
    /// client runs such reads where the calling task is, and everything else on the
    /// connection's own thread.
    var readsNeverWait: Bool { get }

    /// Opens a connection with its own read snapshot, for one thread at a time.
    func connect() throws(StorageError) -> Connection
    /// `count` OIDs never handed out before, by any process.
    func newOIDs(count: Int) throws(StorageError) -> [ObjectID]
    /// The TID of the last committed transaction, ``TransactionID/zero`` when there is none.
    func lastTransaction() throws(StorageError) -> TransactionID
    /// The objects whose current state was written in `(after, through]`, ordered by TID then
    /// OID, as of the latest commit.
    func listChanges(after: TransactionID, through: TransactionID) throws(StorageError) -> [ObjectChange]
    /// The number of objects stored.
    func objectCount() throws(StorageError) -> Int
    /// Closes the store's own connections. Idempotent.
    func close()
    /// True after ``close()``.
    var isClosed: Bool { get }
}
