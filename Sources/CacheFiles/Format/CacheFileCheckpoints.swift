import CacheCore

/// The checkpoint pair a cache file was written under (`cp0 ≥ cp1`), which a process that
/// loads the file adopts so that the file's `(oid, cp0)` and `(oid, cp1)` entries are the keys
/// its views look up (design §4, §6).
public struct CacheFileCheckpoints: Sendable, Hashable, CustomStringConvertible {
    /// The newer checkpoint.
    public let cp0: TransactionID
    /// The older checkpoint.
    public let cp1: TransactionID

    /// Creates a pair; nil unless `cp0 ≥ cp1`.
    public init?(cp0: TransactionID, cp1: TransactionID) {
        guard cp0 >= cp1 else { return nil }
        self.cp0 = cp0
        self.cp1 = cp1
    }

    public var description: String { "(\(cp0.rawValue), \(cp1.rawValue))" }
}
