/// One revision of an object: its bytes and the TID of the transaction that wrote them. The one
/// value of the load path — what a storage connection loads, what the cache holds and returns,
/// and what a connection hands its caller.
public struct ObjectState: Sendable, Equatable {
    /// The object's state. Decompressed wherever a caller gets it; inside CacheCore's
    /// `SharedStateCache` the policy holds it in the cache's `StateCodec` encoding.
    public var state: [UInt8]
    /// The transaction that wrote ``state``.
    public var tid: TransactionID

    /// A state and the transaction that wrote it.
    @inlinable public init(state: [UInt8], tid: TransactionID) {
        self.state = state
        self.tid = tid
    }

    /// The value taken apart, its bytes moved out rather than copied (no reference-count
    /// traffic on the buffer): what the cache's hit path decodes.
    @inlinable package consuming func parts() -> (state: [UInt8], tid: TransactionID) {
        (state, tid)
    }
}
