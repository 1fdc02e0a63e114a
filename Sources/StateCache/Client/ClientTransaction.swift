import CacheCore
import ObjectStorage

/// The body's handle inside ``StateCacheClient/withTransaction(isolation:_:)``: loads from one snapshot
/// and buffered stores, committed by the client when the body returns.
///
/// It has no `commit` or `poll`: the transaction is the body, and the client commits it, or
/// reruns it from a fresh snapshot when it lost a race (see ``RetryPolicy``). Valid only inside
/// the body that received it.
public struct ClientTransaction: Sendable {
    let connection: ClientConnection

    /// The state of `oid` in the transaction's snapshot and the TID that wrote it; nil for no
    /// such object.
    public func load(_ oid: ObjectID) async throws -> ObjectState? {
        try await connection.load(oid)
    }

    /// Many states at once (one pass over the cache, one query for the misses); objects that
    /// do not exist are absent.
    public func load(many oids: [ObjectID]) async throws -> [ObjectID: ObjectState] {
        try await connection.load(many: oids)
    }

    /// Buffers a new state for `oid`, based on the state the transaction read (`expecting`:
    /// its TID, nil for a new object). Written when the body returns.
    public func store(_ oid: ObjectID, _ state: [UInt8], expecting: TransactionID?) throws {
        try connection.store(oid, state, expecting: expecting)
    }

    /// The snapshot the transaction reads (the database as of this TID).
    public var snapshotTID: TransactionID? {
        get throws { try connection.snapshotTID }
    }
}
