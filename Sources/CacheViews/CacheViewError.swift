import CacheCore

/// Why a cached load was refused: the cache and the database disagree.
public enum CacheViewError: Error, Equatable, CustomStringConvertible {
    /// The view expected `oid` at `expected` (its `deltaAfter0` says so) but found `found`
    /// (nil: the object is gone). The shared cache was cleared; poll and retry.
    case inconsistent(oid: ObjectID, expected: TransactionID, found: TransactionID?, checkpoints: Checkpoints?)
    /// A state written after the view's snapshot was offered to it — never served.
    case stateFromTheFuture(oid: ObjectID, tid: TransactionID, snapshot: TransactionID)

    public var description: String {
        switch self {
        case let .inconsistent(oid, expected, found, checkpoints):
            return "the cache and the database disagree about object \(oid): the view expected TID "
                + "\(expected.rawValue), the database has \(found.map { String($0.rawValue) } ?? "no state") "
                + "(checkpoints \(checkpoints.map(\.description) ?? "none")); the cache was cleared, poll and retry"
        case let .stateFromTheFuture(oid, tid, snapshot):
            return "object \(oid) has a state from transaction \(tid.rawValue), after the snapshot \(snapshot.rawValue)"
        }
    }
}
