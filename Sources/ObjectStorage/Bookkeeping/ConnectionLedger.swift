import StateVocabulary

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
            if error.code == .conflict { abort() }
            throw error
        }
        abort()
        unreportedOwnCommits.append(tid)
        return tid
    }

    /// The buffered stores as the protocol shows them: in call order, one per object.
    package var pendingStates: [(oid: ObjectID, state: [UInt8])] { pending.items.map { ($0.oid, $0.state) } }

    /// Runs one poll and records it: `startSnapshot(previous)` starts the new snapshot and
    /// returns its TID, and `listChanges(previous, newTID)` the changes in between. Changes are
    /// asked for only when they mean something: not on the first poll, nor when the database
    /// went back in time (restored from a backup), where the result says `changes == nil`.
    /// A failure records nothing, so the next poll lists the changes since the last good one.
    package mutating func poll(
        startSnapshot: (_ previous: TransactionID?) throws(StorageError) -> TransactionID,
        listChanges: (_ previous: TransactionID, _ newTID: TransactionID) throws(StorageError) -> [ObjectChange]
    ) throws(StorageError) -> PollResult {
        let previous = polledTID
        let newTID = try startSnapshot(previous)
        var changes: [ObjectChange]?
        if let previous, previous <= newTID {
            changes = try listChanges(previous, newTID)
        }
        polledTID = newTID
        let visible = unreportedOwnCommits.prefix { $0 <= newTID }
        unreportedOwnCommits.removeFirst(visible.count)
        return PollResult(previousTID: previous, newTID: newTID, changes: changes, ownCommits: Array(visible))
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
