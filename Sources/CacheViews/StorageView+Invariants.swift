import CacheCore

extension StorageView {
    /// Checks the view's state (tests call it after every step): an unpolled or detached view
    /// has no epoch and no `deltaAfter0`; a polled one has the epoch's checkpoints, `cp0` not
    /// after its snapshot, and only changes in `(cp0, snapshot]` in `deltaAfter0`.
    package func checkInvariants() {
        switch position {
        case .unpolled, .detached:
            precondition(epoch == nil, "a view without checkpoints holds an epoch")
            precondition(deltaAfter0.isEmpty, "a view without checkpoints holds \(deltaAfter0.count) changes")
        case .polled(let snapshot, let checkpoints):
            guard let epoch else { preconditionFailure("a polled view has no epoch") }
            precondition(epoch.checkpoints == checkpoints, "the view's checkpoints \(checkpoints) are not its epoch's \(epoch.checkpoints)")
            precondition(checkpoints.cp0 <= snapshot, "cp0 \(checkpoints.cp0) is after the snapshot \(snapshot)")
            for (oid, tid) in deltaAfter0 {
                precondition(tid > checkpoints.cp0 && tid <= snapshot,
                             "deltaAfter0 holds \(oid) at \(tid), outside (\(checkpoints.cp0), \(snapshot)]")
            }
        }
    }
}
