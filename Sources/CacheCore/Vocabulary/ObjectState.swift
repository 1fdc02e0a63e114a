/// One revision of an object as a reader sees it: its bytes and the TID of the transaction that
/// wrote them. The one value of the load path — what a storage connection loads, what the cache
/// holds and returns (decompressed), and what a connection hands its caller.
public struct ObjectState: Sendable, Equatable {
    /// The object's state (decompressed).
    public var state: [UInt8]
    /// The transaction that wrote ``state``.
    public var tid: TransactionID

    /// A state and the transaction that wrote it.
    @inlinable public init(state: [UInt8], tid: TransactionID) {
        self.state = state
        self.tid = tid
    }
}
