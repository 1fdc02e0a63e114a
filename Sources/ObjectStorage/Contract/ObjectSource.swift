import StateVocabulary

/// Where a view reads what the cache does not have: a storage connection at the view's
/// snapshot. A protocol so that tests can count and script the storage's answers.
public protocol ObjectSource {
    /// The state of `oid` and the TID that wrote it, as of the snapshot; nil if it does not exist.
    func load(_ oid: ObjectID) throws -> ObjectState?
    /// The states of many objects in one round trip; missing objects are absent from the result.
    func load(many oids: [ObjectID]) throws -> [ObjectID: ObjectState]
    /// Every `(oid, tid)` committed with `after < tid ≤ through`.
    func listChanges(after: TransactionID, through: TransactionID) throws -> [ObjectChange]
}
