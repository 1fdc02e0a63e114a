import CacheCore

/// Which cache entries a view of a *later* process can still look up — the rule that decides
/// what is worth writing to a cache file, and what is worth restoring from one.
///
/// Entries are facts (`(oid, keyTID) → (actualTID, state)`: the state of `oid` current as of
/// `keyTID` was written by `actualTID`), so no entry is ever *wrong* for its database; but a
/// view only asks for a few keys (`docs/threaded-api.md`): `deltaAfter0[oid]` (an exact TID after `cp0`),
/// else `(oid, cp0)`, else `deltaAfter1[oid]` (an exact TID in `(cp1, cp0]`) or `(oid, cp1)`.
/// A process that loads a file adopts the file's checkpoints, takes `deltaAfter1` from one
/// `listChanges(cp1, cp0]` query, and each view's first poll fills `deltaAfter0` with the
/// changes in `(cp0, snapshot]`. So, with `latest[oid]` the TID of `oid`'s newest change after
/// `cp1` (none if unchanged since), an entry is reachable exactly when:
///
/// | key TID | reachable when | because |
/// | --- | --- | --- |
/// | `cp0` | `latest[oid]` is none or `≤ cp0` | no `deltaAfter0` entry, so `(oid, cp0)` is asked first |
/// | `cp1` (`< cp0`) | `latest[oid]` is none | in neither delta map, so the `cp1` fallback is asked |
/// | `t > cp1`, other | `latest[oid] == t` and `actualTID == t` | `t` is the object's `deltaAfter1` or `deltaAfter0` TID |
/// | `< cp1`, other | never | no view asks for keys older than its checkpoints |
///
/// Everything else — keys of older checkpoints, a view's private stopgap checkpoints, states
/// superseded by a later change — is dead weight: a later process would carry it in memory and
/// on disk but never hit it. Later changes only shrink the reachable set (a change after `cp0`
/// moves the object to an exact `deltaAfter0` key), so a filter computed at close is an upper
/// bound of what the next process can use, and the same filter recomputed at open — with the
/// changes made meanwhile — drops what became unreachable in between.
///
/// Without a change list (``latestChanges`` nil: the database could not be asked) only the
/// structural part applies: keys at `cp0` or `cp1`, and exact keys after `cp1`
/// (`actualTID == keyTID`).
public struct CacheReachability: Sendable {
    /// The checkpoints the later process adopts.
    public let checkpoints: Checkpoints
    /// The TID of each object's newest change after `cp1`, as of one change-list query; nil
    /// when unknown.
    public let latestChanges: [ObjectID: TransactionID]?

    /// Creates the rule for `checkpoints`, given the newest change after `cp1` of every
    /// object that changed (nil: unknown, structural rule only).
    public init(checkpoints: Checkpoints, latestChanges: [ObjectID: TransactionID]?) {
        self.checkpoints = checkpoints
        self.latestChanges = latestChanges
    }

    /// Creates the rule from a change list — every `(oid, tid)` committed after `cp1`, as
    /// `listChanges(after: cp1, through: last)` returns it; the newest TID of each object wins.
    public init(checkpoints: Checkpoints, changes: some Sequence<(oid: ObjectID, tid: TransactionID)>) {
        var latest: [ObjectID: TransactionID] = [:]
        for (oid, tid) in changes where tid > checkpoints.cp1 {
            if let known = latest[oid], known >= tid { continue }
            latest[oid] = tid
        }
        self.init(checkpoints: checkpoints, latestChanges: latest)
    }

    /// Whether a view of a process that adopts ``checkpoints`` can look `key` up.
    ///
    /// - Complexity: O(1).
    @inline(__always) public func isReachable(_ key: CacheKey, actualTID: TransactionID) -> Bool {
        guard actualTID <= key.tid else { return false }  // not a possible fact
        let cp0 = checkpoints.cp0
        let cp1 = checkpoints.cp1
        guard let latestChanges else {
            return key.tid == cp0 || key.tid == cp1 || (key.tid > cp1 && actualTID == key.tid)
        }
        let latest = latestChanges[key.oid]
        if key.tid == cp0 { return latest.map { $0 <= cp0 } ?? true }
        if key.tid == cp1 { return latest == nil }
        return key.tid > cp1 && actualTID == key.tid && latest == key.tid
    }

    /// The `deltaAfter1` these checkpoints give: the objects whose newest change lies in
    /// `(cp1, cp0]`, with that TID (empty when unknown).
    ///
    /// An object changed in `(cp1, cp0]` and again after `cp0` is left out; every view that
    /// polls after the change list was taken has it in its `deltaAfter0`, which is consulted
    /// first.
    public var deltaAfter1: [ObjectID: TransactionID] {
        latestChanges?.filter { $0.value <= checkpoints.cp0 } ?? [:]
    }

    /// The number of objects changed after `cp0` (0 when unknown): what the first poll of
    /// every view will put in its `deltaAfter0`.
    public var changesAfterCP0: Int {
        latestChanges?.reduce(0) { $0 + ($1.value > checkpoints.cp0 ? 1 : 0) } ?? 0
    }
}
