import StateCacheThreaded
import CacheCore
import CacheViews
import Foundation
import ObjectStorage
import Synchronization

/// A pooled connection, leased to one task for the length of a
/// ``StateCacheClient/withConnection(isolation:_:)`` body.
///
/// It has a snapshot (polled when the lease began: every load sees the database as of one
/// transaction until ``poll()``), serves loads from the shared cache or the storage, and
/// buffers stores for ``commit()``. Work that may wait — a commit waiting for SQLite's write
/// lock, any PostgreSQL round trip — runs on the connection's own thread, never on Swift's
/// cooperative pool; SQLite's reads, which never wait for a writer in WAL mode, run where the
/// task is, like any cache hit.
///
/// Use it only inside the body that received it, from one task at a time: a handle used after
/// its lease ended throws `StateCacheError.Code.leaseEnded`, and two tasks using it at once
/// get `StateCacheError.Code.concurrentUse` — misuse is an error, not a corrupted view.
public final class ClientConnection: Sendable {
    let pooled: PooledConnection
    /// 0: free, 1: in a call, 2: the lease ended, 3: the lease ended during a call.
    private let use = Atomic<Int>(0)

    init(_ pooled: PooledConnection) {
        self.pooled = pooled
    }

    /// The state of `oid` in the snapshot and the TID that wrote it; nil for no such object.
    ///
    /// - Throws: `StorageError`, or `CacheViewError.inconsistent` when the cache and the database
    ///   disagree (the cache was cleared; ``StateCacheClient/withTransaction(isolation:_:)`` reruns).
    public func load(_ oid: ObjectID) async throws -> ObjectState? {
        try await read { try $0.exclusive.load(oid) }
    }

    /// Many states at once: one pass over the cache, one query for the misses. Objects that do
    /// not exist are absent from the result.
    public func load(many oids: [ObjectID]) async throws -> [ObjectID: ObjectState] {
        try await read { try $0.exclusive.load(many: oids) }
    }

    /// Buffers a new state for `oid`; `expecting` is the TID the caller read it at (nil: a
    /// new object). Nothing is written until ``commit()``.
    public func store(_ oid: ObjectID, _ state: [UInt8], expecting: TransactionID?) throws {
        try performHere { $0.exclusive.store(oid, state, expecting: expecting) }
    }

    /// Writes the buffered states in one transaction and returns its TID; they become visible
    /// to this connection's loads after its next ``poll()``.
    ///
    /// - Throws: `StorageError.Code.conflict` (nothing written, the buffer dropped) or another
    ///   `StorageError` (the buffer kept).
    @discardableResult
    public func commit() async throws -> TransactionID {
        try await perform { try $0.exclusive.commit() }
    }

    /// Drops the buffered states.
    public func abort() throws {
        try performHere { $0.abort() }
    }

    /// Moves the snapshot to the newest committed transaction and returns what changed.
    @discardableResult
    public func poll() async throws -> PollResult {
        try await read { try $0.exclusive.poll() }
    }

    /// The snapshot's TID (nil before the first poll).
    public var snapshotTID: TransactionID? {
        get throws { try performHere { $0.snapshotTID } }
    }

    /// What this connection's loads did since it was opened (it outlives leases).
    public var statistics: ViewStatistics {
        get throws { try performHere { $0.stats } }
    }

    /// The number of stores buffered for the next commit.
    var pendingStoreCount: Int { pooled.connection.pendingStoreCount }

    // MARK: - The lease guard

    /// Runs a read: where the task is when the storage's reads never wait (SQLite), else as
    /// ``perform(_:)`` does.
    @inline(__always)
    func read<T>(_ body: (Connection) throws -> T) async throws -> T {
        guard pooled.readsInline else { return try await perform(body) }
        return try performHere(body)
    }

    /// Runs `body` with the connection on its thread (inline when the task is already there,
    /// as inside a PostgreSQL lease body).
    func perform<T>(_ body: (Connection) throws -> T) async throws -> T {
        try enter()
        defer { leave() }
        let connection = pooled.connection
        return try await pooled.thread.run { try body(connection) }
    }

    /// Runs `body`, which only touches memory (no blocking), on the calling thread.
    @inline(__always)
    func performHere<T>(_ body: (Connection) throws -> T) throws -> T {
        try enter()
        defer { leave() }
        return try body(pooled.connection)
    }

    private func enter() throws(StateCacheError) {
        let (exchanged, found) = use.compareExchange(expected: 0, desired: 1, ordering: .acquiring)
        guard !exchanged else { return }
        if found >= 2 {
            throw StateCacheError(.leaseEnded, "a StateCache connection was used after its withConnection/withTransaction body ended")
        }
        throw StateCacheError(.concurrentUse, "a StateCache connection was used by two tasks at once; lease one per task")
    }

    private func leave() {
        // 1 → 0; or, when the lease ended during this call (3), to ended (2).
        let (exchanged, _) = use.compareExchange(expected: 1, desired: 0, ordering: .releasing)
        if !exchanged { use.store(2, ordering: .releasing) }
    }

    /// Ends the lease: later calls throw `.leaseEnded`. Returns false when a call was still
    /// running (a task the body left behind): the connection must then not be reused.
    func endLease() -> Bool {
        while true {
            let (idle, found) = use.compareExchange(expected: 0, desired: 2, ordering: .acquiringAndReleasing)
            if idle { return true }
            if found != 1 { return false }
            let (marked, _) = use.compareExchange(expected: 1, desired: 3, ordering: .acquiringAndReleasing)
            if marked { return false }
        }
    }
}
