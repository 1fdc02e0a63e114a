import StateVocabulary

/// One entry of a change list: object `oid` is current as of transaction `tid`.
///
/// The storage is history-free: a change list names each object at most once, with the TID of
/// its latest change visible in the snapshot the list was read from.
public struct ObjectChange: Sendable, Hashable, CustomStringConvertible {
    /// The object that changed.
    public var oid: ObjectID
    /// The transaction that wrote its current state.
    public var tid: TransactionID

    /// Creates a change entry.
    package init(oid: ObjectID, tid: TransactionID) {
        self.oid = oid
        self.tid = tid
    }

    public var description: String { "(\(oid), \(tid))" }
}
