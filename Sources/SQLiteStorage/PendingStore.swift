import CacheCore

/// One buffered write of a ``StorageConnection``: the new state of `oid`, and the TID the
/// writer based it on.
struct PendingStore: Sendable {
    /// The object written.
    var oid: ObjectID
    /// Its new state (empty = no data, e.g. a deleted object).
    var state: [UInt8]
    /// The TID of the state the writer read; nil for an object it believes new. The commit
    /// fails with a conflict unless this is still the object's current TID.
    var expected: TID?
}
