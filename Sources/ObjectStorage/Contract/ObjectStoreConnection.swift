import StateVocabulary

/// One thread's view of an ``ObjectStore``: a read snapshot, loads from it (its
/// ``ObjectSource`` half), and a buffer of stores that ``commit()`` writes as one transaction.
///
/// Every load between two polls sees the database as of one TID, whatever other threads,
/// processes or machines commit meanwhile, including this connection's own commits.
/// ``poll()`` moves the snapshot to the latest commit and lists what changed in between.
/// Not `Sendable`: use a connection from one thread at a time.
public protocol ObjectStoreConnection: AnyObject, ObjectSource {
    /// The TID the connection's loads see; nil before the first poll, after
    /// ``releaseSnapshot()`` and after ``close()``.
    var snapshotTID: TransactionID? { get }
    /// True after ``close()``.
    var isClosed: Bool { get }
    /// The number of objects buffered for the next commit.
    var pendingStoreCount: Int { get }
    /// The buffered stores, in call order (one per object): what the next commit writes.
    var pendingStates: [(oid: ObjectID, state: [UInt8])] { get }

    /// Ends the current snapshot, starts one at the latest commit and returns what changed in
    /// between (`changes == nil` on the first poll, or when the database went back in time).
    func poll() throws(StorageError) -> PollResult
    /// Ends the snapshot without starting another, so an idle connection holds nothing back
    /// (SQLite's write-ahead log, PostgreSQL's vacuum). The next poll still lists the changes.
    func releaseSnapshot()
    /// Buffers a new state for `oid`, based on the state written by `expecting` (nil: a new
    /// object). Nothing reaches the database before ``commit()``.
    func store(_ oid: ObjectID, _ state: [UInt8], expecting: TransactionID?)
    /// Writes the buffered stores as one transaction and returns its TID; the snapshot does
    /// not move. A conflict drops the buffer; other errors keep it for a retry.
    func commit() throws(StorageError) -> TransactionID
    /// Drops the buffered stores.
    func abort()
    /// Ends the snapshot, drops buffered stores and closes the connection. Idempotent.
    func close()
}
