import StateVocabulary

/// What ``ObjectStoreConnection/poll()`` found: the new snapshot and what changed since the
/// previous one.
///
/// A cache view applies ``changes`` to its delta maps (`docs/threaded-api.md`); entries whose TID is in
/// ``ownCommits`` were written by this connection, whose view already holds those states.
public struct PollResult: Sendable, Hashable {
    /// The snapshot before this poll; nil on a connection's first poll.
    public var previousTID: TransactionID?
    /// The snapshot now in effect: the last transaction committed when the poll ran
    /// (``TransactionID/zero`` for a database without transactions).
    public var newTID: TransactionID
    /// Objects changed in `(previousTID, newTID]`, ordered by TID then OID; nil when unknown
    /// (the first poll: there was no previous snapshot to compare with).
    public var changes: [ObjectChange]?
    /// The TIDs of this connection's own commits that became visible with this poll, ascending.
    package var ownCommits: [TransactionID]

    /// Creates a poll result.
    package init(previousTID: TransactionID?, newTID: TransactionID, changes: [ObjectChange]?, ownCommits: [TransactionID]) {
        self.previousTID = previousTID
        self.newTID = newTID
        self.changes = changes
        self.ownCommits = ownCommits
    }

    /// True when `change` was written by this connection's own commit.
    package func isOwn(_ change: ObjectChange) -> Bool {
        ownCommits.contains(change.tid)
    }

    /// The changes written by other connections (or processes); nil when unknown.
    package var foreignChanges: [ObjectChange]? {
        guard let changes else { return nil }
        if ownCommits.isEmpty { return changes }
        let own = Set(ownCommits)
        return changes.filter { !own.contains($0.tid) }
    }
}
