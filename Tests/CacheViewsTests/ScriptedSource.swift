import CacheCore
import SQLiteStorage
@testable import CacheViews

/// An in-memory committed history standing in for a storage connection: loads answer as of
/// `snapshot`, `listChanges` reads the history, and every call is counted.
final class ScriptedSource: ObjectSource {
    /// Commits in TID order: tid → [oid: state].
    var history: [(tid: TransactionID, writes: [ObjectID: [UInt8]])] = []
    var snapshot = TransactionID.zero
    var loads = 0
    var batchLoads = 0
    var changeQueries = 0
    /// When set, `load` answers this TID instead of the true one (to provoke inconsistencies).
    var forcedTID: [ObjectID: TransactionID] = [:]

    @discardableResult
    func commit(_ tid: UInt64, _ writes: [UInt64: String]) -> TransactionID {
        let tid = TransactionID(tid)
        history.append((tid, Dictionary(uniqueKeysWithValues: writes.map { (ObjectID($0.key), Array($0.value.utf8)) })))
        return tid
    }

    /// The true answer at `snapshot`.
    func truth(_ oid: ObjectID, at snapshot: TransactionID) -> ObjectState? {
        for entry in history.reversed() where entry.tid <= snapshot {
            if let state = entry.writes[oid] { return ObjectState(state: state, tid: entry.tid) }
        }
        return nil
    }

    func load(_ oid: ObjectID) throws -> ObjectState? {
        loads += 1
        guard var found = truth(oid, at: snapshot) else { return nil }
        if let forced = forcedTID[oid] { found.tid = forced }
        return found
    }

    func load(many oids: [ObjectID]) throws -> [ObjectID: ObjectState] {
        batchLoads += 1
        var result: [ObjectID: ObjectState] = [:]
        for oid in oids { result[oid] = truth(oid, at: snapshot) }
        return result
    }

    func listChanges(after: TransactionID, through: TransactionID) throws -> [ObjectChange] {
        changeQueries += 1
        return history.filter { $0.tid > after && $0.tid <= through }
            .flatMap { entry in entry.writes.keys.map { ObjectChange(oid: $0, tid: entry.tid) } }
    }

    /// The poll a connection at `previous` would get when moving to `newTID`.
    func changes(after previous: TransactionID, through newTID: TransactionID) -> [ObjectChange] {
        history.filter { $0.tid > previous && $0.tid <= newTID }
            .flatMap { entry in entry.writes.keys.map { ObjectChange(oid: $0, tid: entry.tid) } }
    }
}

extension StorageView {
    /// Polls `source` to `tid` the way a connection would: the first poll's change list is unknown.
    func poll(_ source: ScriptedSource, to tid: UInt64) throws {
        let newTID = TransactionID(tid)
        let previous = snapshotTID
        let changes = previous.map { source.changes(after: $0, through: newTID) }
        source.snapshot = newTID
        try afterPoll(previousTID: previous, newTID: newTID, changes: changes, source: source)
    }
}
