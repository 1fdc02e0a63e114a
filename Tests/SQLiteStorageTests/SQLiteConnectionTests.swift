import CacheCore
import XCTest
@testable import SQLiteStorage

/// Snapshots, polls, loads and change lists of ``SQLiteConnection``.
final class SQLiteConnectionTests: StorageTestCase {
    func testEmptyDatabaseFirstPollIsUnknownAndLoadsNothing() throws {
        try withConnections(1) { store, connections in
            let connection = connections[0]
            XCTAssertNil(connection.snapshotTID)
            XCTAssertEqual(storageError { try connection.load(ObjectID(1)) }, .noSnapshot)

            let first = try connection.poll()
            XCTAssertNil(first.previousTID)
            XCTAssertEqual(first.newTID, .zero)
            XCTAssertNil(first.changes, "the first poll cannot know what changed")
            XCTAssertEqual(first.ownCommits, [])
            XCTAssertNil(try connection.load(ObjectID(1)))
            XCTAssertEqual(try connection.load(many: [ObjectID(1), ObjectID(2)]).count, 0)

            let second = try connection.poll()
            XCTAssertEqual(second.previousTID, .zero)
            XCTAssertEqual(second.changes, [])
            connection.checkInvariants()
        }
    }

    func testSnapshotIsolationUntilPoll() throws {
        try withConnections(2) { store, connections in
            let (writer, reader) = (connections[0], connections[1])
            _ = try writer.poll()
            _ = try reader.poll()
            let oid = try store.newOIDs(count: 1)[0]

            writer.store(oid, TestState.make(oid, version: 1), expecting: nil)
            let tid1 = try writer.commit()
            // Neither the other connection nor the committer sees the commit before polling.
            XCTAssertNil(try reader.load(oid))
            XCTAssertNil(try writer.load(oid))
            XCTAssertEqual(reader.snapshotTID, .zero)

            let poll1 = try reader.poll()
            XCTAssertEqual(poll1.newTID, tid1)
            XCTAssertEqual(reader.snapshotTID, tid1)
            XCTAssertEqual(try reader.load(oid)?.tid, tid1)
            XCTAssertEqual(try reader.load(oid)?.state, TestState.make(oid, version: 1))

            // A second commit: the reader keeps seeing version 1 — for every load — until it polls.
            _ = try writer.poll()
            writer.store(oid, TestState.make(oid, version: 2), expecting: tid1)
            let tid2 = try writer.commit()
            XCTAssertGreaterThan(tid2, tid1)
            for _ in 0..<3 {
                XCTAssertEqual(try reader.load(oid)?.state, TestState.make(oid, version: 1))
                XCTAssertEqual(try reader.load(many: [oid])[oid]?.tid, tid1)
            }
            XCTAssertEqual(try reader.listChanges(after: tid1, through: .max), [], "the snapshot hides later changes")
            XCTAssertEqual(try store.listChanges(after: tid1, through: .max), [ObjectChange(oid: oid, tid: tid2)])

            _ = try reader.poll()
            XCTAssertEqual(try reader.load(oid)?.state, TestState.make(oid, version: 2))
            reader.checkInvariants()
            writer.checkInvariants()
        }
    }

    func testPollChangeListsAreExactAndMarkOwnCommits() throws {
        try withConnections(2) { store, connections in
            let (mine, other) = (connections[0], connections[1])
            XCTAssertNil(try mine.poll().changes)
            XCTAssertNil(try other.poll().changes)
            let oids = try store.newOIDs(count: 4)

            // Two commits by `mine` (the second rewrites oids[0]) and one by `other`.
            mine.store(oids[0], [1], expecting: nil)
            mine.store(oids[1], [1], expecting: nil)
            let tidA = try mine.commit()
            mine.store(oids[0], [2], expecting: tidA)
            let tidB = try mine.commit()
            other.store(oids[2], [1], expecting: nil)
            let tidC = try other.commit()
            XCTAssertLessThan(tidA, tidB)
            XCTAssertLessThan(tidB, tidC)

            let poll = try mine.poll()
            XCTAssertEqual(poll.previousTID, .zero)
            XCTAssertEqual(poll.newTID, tidC)
            // History-free: oids[0] appears once, with its latest TID; ordered by TID then OID.
            XCTAssertEqual(poll.changes, [ObjectChange(oid: oids[1], tid: tidA),
                                          ObjectChange(oid: oids[0], tid: tidB),
                                          ObjectChange(oid: oids[2], tid: tidC)])
            XCTAssertEqual(poll.ownCommits, [tidA, tidB])
            XCTAssertEqual(poll.changes?.filter(poll.isOwn).map(\.oid), [oids[1], oids[0]])
            XCTAssertEqual(poll.foreignChanges, [ObjectChange(oid: oids[2], tid: tidC)])

            let otherPoll = try other.poll()
            XCTAssertEqual(otherPoll.changes, poll.changes)
            XCTAssertEqual(otherPoll.ownCommits, [tidC])
            XCTAssertEqual(otherPoll.foreignChanges?.map(\.tid), [tidA, tidB])

            // Nothing new: an empty list, no own commits; own commits are reported only once.
            let quiet = try mine.poll()
            XCTAssertEqual(quiet.previousTID, tidC)
            XCTAssertEqual(quiet.newTID, tidC)
            XCTAssertEqual(quiet.changes, [])
            XCTAssertEqual(quiet.ownCommits, [])

            // A commit made before a connection's first poll is still its own.
            let late = try store.connect()
            late.store(oids[3], [1], expecting: nil)
            let tidD = try late.commit()
            let latePoll = try late.poll()
            XCTAssertNil(latePoll.changes)
            XCTAssertEqual(latePoll.ownCommits, [tidD])
            mine.checkInvariants()
            late.checkInvariants()
        }
    }

    func testReleaseSnapshotThenPollStillListsChanges() throws {
        try withConnections(2) { store, connections in
            let (connection, writer) = (connections[0], connections[1])
            let first = try connection.poll()
            connection.releaseSnapshot()
            XCTAssertNil(connection.snapshotTID)
            XCTAssertEqual(storageError { try connection.load(ObjectID(5)) }, .noSnapshot)
            connection.checkInvariants()

            let oid = try store.newOIDs(count: 1)[0]
            writer.store(oid, [9], expecting: nil)
            let tid = try writer.commit()
            let poll = try connection.poll()
            XCTAssertEqual(poll.previousTID, first.newTID)
            XCTAssertEqual(poll.changes, [ObjectChange(oid: oid, tid: tid)])
        }
    }

    func testListChangesRanges() throws {
        try withConnections(1) { store, connections in
            let connection = connections[0]
            let oids = try store.newOIDs(count: 6)
            var tids: [TransactionID] = []
            // Commit i writes oids[i] (and, for i = 4, rewrites oids[0]).
            for index in 0..<5 {
                connection.store(oids[index], [UInt8(index)], expecting: nil)
                if index == 4 { connection.store(oids[0], [44], expecting: tids[0]) }
                tids.append(try connection.commit())
            }
            XCTAssertEqual(try store.lastTransaction(), tids[4])
            XCTAssertEqual(try store.objectCount(), 5)

            func changes(_ after: TransactionID, _ through: TransactionID) throws -> [ObjectChange] {
                try store.listChanges(after: after, through: through)
            }
            // Half-open ranges: after is excluded, through included.
            XCTAssertEqual(try changes(tids[0], tids[2]), [ObjectChange(oid: oids[1], tid: tids[1]),
                                                           ObjectChange(oid: oids[2], tid: tids[2])])
            XCTAssertEqual(try changes(tids[1], tids[1]), [])
            XCTAssertEqual(try changes(tids[2], tids[1]), [], "an empty range when after ≥ through")
            // oids[0] was rewritten by tids[4]: history-free, it is no longer in (zero, tids[0]].
            XCTAssertEqual(try changes(.zero, tids[0]), [])
            XCTAssertEqual(try changes(tids[3], .max), [ObjectChange(oid: oids[0], tid: tids[4]),
                                                        ObjectChange(oid: oids[4], tid: tids[4])])
            let all = try changes(.zero, .max)
            XCTAssertEqual(all.count, 5)
            XCTAssertEqual(all, all.sorted { ($0.tid, $0.oid) < ($1.tid, $1.oid) }, "ordered by tid, then oid")

            // The connection's version answers from its snapshot.
            _ = try connection.poll()
            XCTAssertEqual(try connection.listChanges(after: tids[2], through: tids[4]), try changes(tids[2], tids[4]))
        }
    }

    func testLoadManyMatchesSingleLoads() throws {
        try withConnections(1) { store, connections in
            let connection = connections[0]
            let oids = try store.newOIDs(count: 700)
            // Some objects with empty states, sizes from 0 to a few KiB.
            for (index, oid) in oids.enumerated() where index % 7 != 3 {
                let state = index % 11 == 0 ? [] : TestState.make(oid, version: 1, padding: index * 7 % 3000)
                connection.store(oid, state, expecting: nil)
            }
            _ = try connection.commit()
            _ = try connection.poll()

            var generator = SystemRandomNumberGenerator()
            let unknown = [ObjectID(UInt64.max), ObjectID(0), ObjectID(oids.last!.rawValue + 1000)]
            for count in [0, 1, 7, 8, 9, 63, 64, 65, 256, 257, 700, 1000] {
                var request = (0..<count).map { _ in oids.randomElement(using: &generator)! }
                request += unknown.prefix(count % 4)
                let many = try connection.load(many: request)
                var expected: [ObjectID: ObjectState] = [:]
                for oid in request { expected[oid] = try connection.load(oid) }
                XCTAssertEqual(many.count, expected.count, "count \(count)")
                for (oid, value) in expected {
                    XCTAssertEqual(many[oid]?.state, value.state, "\(oid)")
                    XCTAssertEqual(many[oid]?.tid, value.tid, "\(oid)")
                }
            }
        }
    }

    func testStatesRoundTripExactly() throws {
        try withConnections(1) { store, connections in
            let connection = connections[0]
            let oids = try store.newOIDs(count: 5)
            let states: [[UInt8]] = [[], [0], [0, 0, 0], Array(repeating: 0xFF, count: 100_000), (0..<4096).map { UInt8($0 % 251) }]
            for (oid, state) in zip(oids, states) { connection.store(oid, state, expecting: nil) }
            // Storing an OID twice keeps the last state.
            connection.store(oids[1], [1, 2, 3], expecting: nil)
            XCTAssertEqual(connection.pendingStoreCount, 5)
            connection.checkInvariants()
            let tid = try connection.commit()
            XCTAssertEqual(connection.pendingStoreCount, 0)
            _ = try connection.poll()
            for (index, (oid, state)) in zip(oids, states).enumerated() {
                let loaded = try XCTUnwrap(connection.load(oid))
                XCTAssertEqual(loaded.state, index == 1 ? [1, 2, 3] : state)
                XCTAssertEqual(loaded.tid, tid)
            }
            // OIDs beyond 2⁶³ (stored as negative integers) work as keys too.
            let big = ObjectID(UInt64.max - 1)
            connection.store(big, [7], expecting: nil)
            _ = try connection.commit()
            _ = try connection.poll()
            XCTAssertEqual(try connection.load(big)?.state, [7])
        }
    }

    func testClosedConnectionAndStoreRefuseWork() throws {
        let store = try openStore()
        let connection = try store.connect()
        _ = try connection.poll()
        connection.close()
        connection.close()
        XCTAssertEqual(storageError { try connection.poll() }, .closed)
        XCTAssertEqual(storageError { try connection.load(ObjectID(1)) }, .closed)
        XCTAssertEqual(storageError { try connection.commit() }, .closed)

        let survivor = try store.connect()
        store.close()
        store.close()
        XCTAssertTrue(store.isClosed)
        XCTAssertEqual(storageError { try store.connect() }, .closed)
        XCTAssertEqual(storageError { try store.newOIDs(count: 1) }, .closed)
        XCTAssertEqual(storageError { try store.lastTransaction() }, .closed)
        // A connection made before the store closed still reads; it cannot commit.
        XCTAssertEqual(try survivor.poll().newTID, .zero)
        survivor.store(ObjectID(1), [1], expecting: nil)
        XCTAssertEqual(storageError { try survivor.commit() }, .closed)
    }
}
