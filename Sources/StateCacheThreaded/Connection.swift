import ObjectStorage
import CacheCore
import CacheViews
import SQLiteStorage
import Synchronization

/// One storage client connection: a snapshot of the database, loads served from the shared
/// cache when it holds the right state and from the storage (SQLite or PostgreSQL) when it
/// does not, and commits.
///
/// Use a connection from one thread or task at a time; it may move between them (it is
/// `Sendable`), but two at once is a programming error that is caught: a call that overlaps
/// another throws ``StateCacheError/Code/concurrentUse`` (``store(_:_:expecting:)`` and
/// ``abort()``, which do not throw, stop the process with that message). Every load between
/// two polls sees one snapshot; `poll()` moves to the newest committed transaction. Close it
/// before its ``Database``: the database refuses to close while connections are open.
///
/// Async code leases connections from a `StateCacheClient` instead, which runs their blocking
/// work off Swift's cooperative pool.
public final class Connection: @unchecked Sendable {
    /// The storage connection (snapshot, commits).
    package let storage: any ObjectStoreConnection
    /// The cache view (checkpoints, delta maps).
    package let view: StorageView
    /// The database, told when the connection closes.
    private let database: Database
    /// 1 while a call runs: the guard against use from two threads at once.
    private let busy = Atomic<Bool>(false)

    init(storage: any ObjectStoreConnection, view: StorageView, database: Database) {
        self.storage = storage
        self.view = view
        self.database = database
    }

    /// Runs `body` as the connection's only user, or throws `.concurrentUse`.
    private func exclusively<T>(_ body: () throws -> T) throws -> T {
        guard busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else {
            throw StateCacheError(.concurrentUse, Connection.overlapMessage)
        }
        defer { busy.store(false, ordering: .releasing) }
        return try body()
    }

    /// ``exclusively(_:)`` for calls that cannot throw: an overlap stops the process.
    private func exclusivelyOrTrap<T>(_ body: () -> T) -> T {
        do {
            return try exclusively(body)
        } catch {
            preconditionFailure(Connection.overlapMessage)
        }
    }

    private static let overlapMessage = "a StateCache Connection was used from two threads or tasks at once; "
        + "use one connection per thread, or lease them from a StateCacheClient"

    /// Ends the current snapshot and starts one at the newest transaction; returns what
    /// changed in between (nil change list on the first poll).
    @discardableResult
    public func poll() throws -> PollResult {
        try exclusively { try exclusive.poll() }
    }

    /// Ends the snapshot without starting another, so an idle connection holds nothing back
    /// (SQLite's write-ahead log, PostgreSQL's vacuum). Poll before the next load.
    public func releaseSnapshot() {
        exclusivelyOrTrap { storage.releaseSnapshot() }
    }

    /// The snapshot's TID (nil before the first poll).
    public var snapshotTID: TransactionID? { storage.snapshotTID }

    /// The state of `oid` in the snapshot and the TID that wrote it; nil for no such object.
    ///
    /// - Throws: `CacheViewError/inconsistent(oid:expected:found:checkpoints:)` if the cache
    ///   and the database disagree (the cache is cleared: poll and retry), or a `StorageError`.
    public func load(_ oid: ObjectID) throws -> ObjectState? {
        try exclusively { try exclusive.load(oid) }
    }

    /// Many states at once (ZODB's prefetch): one pass over the cache, one SQL query for the
    /// misses. Objects that do not exist are absent from the result.
    public func load(many oids: [ObjectID]) throws -> [ObjectID: ObjectState] {
        try exclusively { try exclusive.load(many: oids) }
    }

    /// Buffers a new state for `oid`; `expecting` is the TID the caller read (nil: a new object).
    /// Nothing is written until `commit()`.
    public func store(_ oid: ObjectID, _ state: [UInt8], expecting: TransactionID?) {
        exclusivelyOrTrap { storage.store(oid, state, expecting: expecting) }
    }

    /// Writes the buffered states in one transaction and caches them under the new TID;
    /// they become visible to this connection's loads after its next poll.
    ///
    /// - Throws: `StorageError.Code.conflict` (nothing written, the buffer dropped) when
    ///   another transaction changed one of the objects since the expected TID; on other
    ///   errors the buffer is kept, so the commit can be retried or `abort()`ed.
    @discardableResult
    public func commit() throws -> TransactionID {
        try exclusively { try exclusive.commit() }
    }

    /// Drops the buffered states.
    public func abort() {
        exclusivelyOrTrap { storage.abort() }
    }

    /// What this connection's loads did.
    public var stats: ViewStatistics { view.statistics }

    /// The number of stores buffered for the next commit.
    public var pendingStoreCount: Int { storage.pendingStoreCount }

    /// Closes the storage connection. Idempotent.
    public func close() {
        exclusivelyOrTrap {
            guard !storage.isClosed else { return }
            storage.close()
            database.connectionClosed()
        }
    }

    /// The connection's operations without the guard against overlapping use, for a caller
    /// that guarantees one user at a time itself (a `StateCacheClient` lease, whose handle
    /// guards every call): one atomic exchange per call instead of two.
    package struct Exclusive {
        package let connection: Connection

        package func poll() throws -> PollResult {
            let result = try connection.storage.poll()
            try connection.view.afterPoll(result, source: connection.storage)
            return result
        }

        @inline(__always)
        package func load(_ oid: ObjectID) throws -> ObjectState? {
            try connection.view.load(oid, from: connection.storage)
        }

        package func load(many oids: [ObjectID]) throws -> [ObjectID: ObjectState] {
            try connection.view.load(many: oids, from: connection.storage)
        }

        package func store(_ oid: ObjectID, _ state: [UInt8], expecting: TransactionID?) {
            connection.storage.store(oid, state, expecting: expecting)
        }

        package func commit() throws -> TransactionID {
            // The storage keeps the one buffer: read it before the commit empties it.
            let states = connection.storage.pendingStates
            let tid = try connection.storage.commit()
            connection.view.afterCommit(tid: tid, states: states)
            return tid
        }
    }

    /// See ``Exclusive``.
    package var exclusive: Exclusive { Exclusive(connection: self) }
}
