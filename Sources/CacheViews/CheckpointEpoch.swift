import CacheCore

/// One generation of a process's checkpoints: the pair and `deltaAfter1`, the latest TID of
/// every object changed in `(cp1, cp0]`. Immutable, and shared by reference by every view
/// that uses these checkpoints — one copy of `deltaAfter1` per process, not per connection.
public final class CheckpointEpoch: Sendable, CustomStringConvertible {
    /// The checkpoints.
    public let checkpoints: Checkpoints
    /// Objects changed after `cp1` up to and including `cp0`, with their latest TID there.
    public let deltaAfter1: [ObjectID: TransactionID]
    /// Whether the process published this epoch (false: a view's private stopgap, used when
    /// its snapshot is older than the process's checkpoints).
    package let isShared: Bool

    /// Creates an epoch.
    public init(checkpoints: Checkpoints, deltaAfter1: [ObjectID: TransactionID], isShared: Bool = true) {
        self.checkpoints = checkpoints
        self.deltaAfter1 = deltaAfter1
        self.isShared = isShared
    }

    public var description: String { "epoch \(checkpoints), deltaAfter1 \(deltaAfter1.count)" }
}
