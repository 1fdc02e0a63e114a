import CacheCore
import SQLiteStorage
import CacheViews

/// One storage client connection: a snapshot of the database, loads served from the shared
/// cache when it holds the right state and from the storage (SQLite or PostgreSQL) when it
/// does not, and commits.
///
/// Use a connection from one thread at a time. Every load between two polls sees one snapshot;
/// `poll()` moves to the newest committed transaction.
public final class Connection {
    /// The storage connection (snapshot, commits).
    public let storage: any ObjectStoreConnection
    /// The cache view (checkpoints, delta maps).
    public let view: StorageView

    init(storage: any ObjectStoreConnection, view: StorageView) {
        self.storage = storage
        self.view = view
    }

    /// Ends the current snapshot and starts one at the newest transaction; returns what
    /// changed in between (nil change list on the first poll).
    @discardableResult
    public func poll() throws -> PollResult {
        let result = try storage.poll()
        try view.afterPoll(result, source: storage)
        return result
    }

    /// Ends the snapshot without starting another, so an idle connection holds nothing back
    /// (SQLite's write-ahead log, PostgreSQL's vacuum). Poll before the next load.
    public func releaseSnapshot() {
        storage.releaseSnapshot()
    }

    /// The snapshot's TID (nil before the first poll).
    public var snapshotTID: TransactionID? { storage.snapshotTID }

    /// The state of `oid` in the snapshot and the TID that wrote it; nil for no such object.
    ///
    /// - Throws: `CacheViewError/inconsistent(oid:expected:found:checkpoints:)` if the cache
    ///   and the database disagree (the cache is cleared: poll and retry), or a `StorageError`.
    public func load(_ oid: ObjectID) throws -> ObjectState? {
        try view.load(oid, from: storage)
    }

    /// Many states at once (ZODB's prefetch): one pass over the cache, one SQL query for the
    /// misses. Objects that do not exist are absent from the result.
    public func load(many oids: [ObjectID]) throws -> [ObjectID: ObjectState] {
        try view.load(many: oids, from: storage)
    }

    /// Buffers a new state for `oid`; `expecting` is the TID the caller read (nil: a new object).
    /// Nothing is written until `commit()`.
    public func store(_ oid: ObjectID, _ state: [UInt8], expecting: TransactionID?) {
        storage.store(oid, state, expecting: expecting)
    }

    /// Writes the buffered states in one transaction and caches them under the new TID;
    /// they become visible to this connection's loads after its next poll.
    ///
    /// - Throws: `StorageError/conflict(oids:)` (nothing written, the buffer dropped) when
    ///   another transaction changed one of the objects since the expected TID; on other
    ///   errors the buffer is kept, so the commit can be retried or `abort()`ed.
    @discardableResult
    public func commit() throws -> TransactionID {
        // The storage keeps the one buffer: read it before the commit empties it.
        let states = storage.pendingStates
        let tid = try storage.commit()
        view.afterCommit(tid: tid, states: states)
        return tid
    }

    /// Drops the buffered states.
    public func abort() {
        storage.abort()
    }

    /// What this connection's loads did.
    public var stats: ViewStatistics { view.statistics }

    /// Closes the storage connection.
    public func close() {
        storage.close()
    }
}
