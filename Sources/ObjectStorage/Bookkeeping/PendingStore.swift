import StateVocabulary

/// One buffered write of a storage connection: the new state of `oid`, and the TID the
/// writer based it on. Shared by the backends, which buffer stores the same way.
package struct PendingStore: Sendable {
    /// The object written.
    package var oid: ObjectID
    /// Its new state (empty = no data, e.g. a deleted object).
    package var state: [UInt8]
    /// The TID of the state the writer read; nil for an object it believes new. The commit
    /// fails with a conflict unless this is still the object's current TID.
    package var expected: TransactionID?

    /// A store of `state` for `oid`, based on the revision `expected` (nil: a new object).
    package init(oid: ObjectID, state: [UInt8], expected: TransactionID?) {
        self.oid = oid
        self.state = state
        self.expected = expected
    }
}
