/// A state found in the cache: the bytes and the TID of the transaction that wrote them.
public struct CachedState: Sendable, Equatable {
    /// The transaction that wrote ``state``.
    public var actualTID: TransactionID
    /// The object's state (decompressed).
    public var state: [UInt8]

    /// Creates a value to cache.
    @inlinable public init(actualTID: TransactionID, state: [UInt8]) {
        self.actualTID = actualTID
        self.state = state
    }
}
