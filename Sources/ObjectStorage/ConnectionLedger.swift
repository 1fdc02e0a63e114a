import CacheCore

/// The bookkeeping every storage connection keeps between the database and its caller: the
/// stores buffered for the next commit, the snapshot of the last successful poll, and its own
/// commits that no poll has reported yet. Both backends keep it the same way, so a poll
/// reports own commits and a failed commit treats the buffer the same on SQLite and PostgreSQL.
package struct ConnectionLedger: Sendable {
    /// The stores for the next commit, one per object.
    package private(set) var pending = PendingStores()
    /// The snapshot of the last successful poll, kept across released snapshots and lost
    /// sessions so the next poll can list the changes since.
    package private(set) var polledTID: TransactionID?
    /// This connection's commits not yet reported by a poll, ascending.
    private var unreportedOwnCommits: [TransactionID] = []

    package init() {}

    /// Buffers a store, replacing an earlier one of the same object.
    package mutating func store(_ oid: ObjectID, _ state: [UInt8], expecting: TransactionID?) {
        pending.add(PendingStore(oid: oid, state: state, expected: expecting))
    }

    /// Drops the buffered stores.
    package mutating func abort() {
        pending.removeAll()
    }

    /// Writes the buffer with `write` and remembers the TID as an own commit. A conflict drops
    /// the buffer (those stores can never succeed); other errors keep it for a retry.
    package mutating func commit(_ write: ([PendingStore]) throws(StorageError) -> TransactionID) throws(StorageError) -> TransactionID {
        let tid: TransactionID
        do throws(StorageError) {
            tid = try write(pending.items)
        } catch {
            if case .conflict = error { abort() }
            throw error
        }
        abort()
        unreportedOwnCommits.append(tid)
        return tid
    }

    /// Records a successful poll at `newTID`; returns the previous poll's snapshot and the own
    /// commits that became visible with this one.
    package mutating func polled(at newTID: TransactionID) -> (previous: TransactionID?, ownCommits: [TransactionID]) {
        let previous = polledTID
        polledTID = newTID
        let visible = unreportedOwnCommits.prefix { $0 <= newTID }
        unreportedOwnCommits.removeFirst(visible.count)
        return (previous, Array(visible))
    }

    /// Traps if the buffer or the own commits are inconsistent.
    package func checkInvariants() {
        pending.checkInvariants()
        for (earlier, later) in zip(unreportedOwnCommits, unreportedOwnCommits.dropFirst()) {
            precondition(earlier < later, "own commits out of order: \(earlier) before \(later)")
        }
        if let polledTID, let first = unreportedOwnCommits.first {
            precondition(first > polledTID, "own commit \(first) not after the polled snapshot \(polledTID)")
        }
    }
}
