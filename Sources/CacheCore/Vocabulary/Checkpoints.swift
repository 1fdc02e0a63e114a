/// The two checkpoint TIDs under which views file object states (`cp0 ≥ cp1`), and under
/// which a cache file was written.
///
/// A state stored under `(oid, cp0)` is the state of `oid` current as of `cp0`; one under
/// `(oid, cp1)` is current as of `cp1`. Changes after `cp0` are tracked exactly (delta maps),
/// so for an object absent from them the `cp0` entry is still the current state. A process
/// that loads a cache file adopts the file's pair, so that the file's entries are the keys its
/// views look up (`docs/threaded-api.md`, `docs/cache-files.md`).
public struct Checkpoints: Sendable, Hashable, CustomStringConvertible {
    /// The newer checkpoint.
    public let cp0: TransactionID
    /// The older checkpoint.
    public let cp1: TransactionID

    /// Creates a checkpoint pair; `cp0` must not be older than `cp1`.
    public init(cp0: TransactionID, cp1: TransactionID) {
        precondition(cp0 >= cp1, "checkpoints must satisfy cp0 ≥ cp1 (\(cp0) < \(cp1))")
        self.cp0 = cp0
        self.cp1 = cp1
    }

    /// A pair read from outside (a cache file): nil unless `cp0 ≥ cp1`.
    public static func ordered(cp0: TransactionID, cp1: TransactionID) -> Checkpoints? {
        cp0 >= cp1 ? Checkpoints(cp0: cp0, cp1: cp1) : nil
    }

    /// Both checkpoints at `tid` (the first poll, or a restart after a huge transaction).
    public static func at(_ tid: TransactionID) -> Checkpoints { Checkpoints(cp0: tid, cp1: tid) }

    public var description: String { "(\(cp0.rawValue), \(cp1.rawValue))" }
}
