import CacheCore
import Foundation
import ObjectStorage
import StorageTestSupport
import XCTest

/// What every object storage promises the cache, as test bodies that run unchanged against
/// SQLite and PostgreSQL (``ObjectStoreContractTests`` runs each on every backend).
struct ObjectStoreContract {
    let backend: StorageBackend

    private func state(_ text: String) -> [UInt8] { Array(text.utf8) }

    /// Opens a store on the backend and `count` connections on it, runs `body` with them, and
    /// closes the connections, then the store, however `body` ends.
    private func withConnections(_ count: Int,
                                 _ body: (any ObjectStore, [any ObjectStoreConnection]) throws -> Void) throws {
        let store = try backend.open()
        defer { store.close() }
        let connections = try (0..<count).map { _ in try store.connect() }
        defer { connections.forEach { $0.close() } }
        try body(store, connections)
    }

    /// Polls `connection`, then stores `text` as a new object through it and commits: the
    /// object and the commit's TID.
    private func commitNewObject(_ text: String, through connection: any ObjectStoreConnection,
                                 of store: any ObjectStore) throws -> (oid: ObjectID, tid: TransactionID) {
        _ = try connection.poll()
        let oid = try store.newOIDs(count: 1)[0]
        connection.store(oid, state(text), expecting: nil)
        return (oid, try connection.commit())
    }

    /// The first poll knows nothing; later polls list each change once, own commits marked.
    func pollListsChangesAndOwnCommits() throws {
        try withConnections(1) { store, connections in
            let connection = connections[0]
            let first = try connection.poll()
            XCTAssertNil(first.changes)
            XCTAssertEqual(first.newTID, .zero)
            XCTAssertNil(connection.snapshotTID.flatMap { $0 == .zero ? nil : $0 })

            let oid = try store.newOIDs(count: 1)[0]
            connection.store(oid, state("one"), expecting: nil)
            XCTAssertEqual(connection.pendingStoreCount, 1)
            let tid = try connection.commit()
            XCTAssertEqual(connection.pendingStoreCount, 0)
            XCTAssertNil(try connection.load(oid), "the snapshot does not move with a commit")

            let second = try connection.poll()
            XCTAssertEqual(second.previousTID, .zero)
            XCTAssertEqual(second.newTID, tid)
            XCTAssertEqual(second.changes, [ObjectChange(oid: oid, tid: tid)])
            XCTAssertEqual(second.ownCommits, [tid])
            XCTAssertEqual(second.foreignChanges, [])
            let loaded = try XCTUnwrap(try connection.load(oid))
            XCTAssertEqual(loaded.state, state("one"))
            XCTAssertEqual(loaded.tid, tid)
            XCTAssertEqual(try store.lastTransaction(), tid)
            XCTAssertEqual(try connection.poll().changes, [], "nothing changed since")
        }
    }

    /// A connection's loads see one snapshot until it polls, whatever others commit.
    func snapshotsAreIsolated() throws {
        try withConnections(2) { store, connections in
            let (reader, writer) = (connections[0], connections[1])
            let (oid, tid1) = try commitNewObject("v1", through: writer, of: store)
            _ = try reader.poll()
            XCTAssertEqual(try reader.load(oid)?.state, state("v1"))

            writer.store(oid, state("v2"), expecting: tid1)
            let tid2 = try writer.commit()
            XCTAssertEqual(try reader.load(oid)?.state, state("v1"), "still the old snapshot")
            XCTAssertEqual(try reader.load(many: [oid])[oid]?.tid, tid1)
            XCTAssertEqual(try reader.listChanges(after: .zero, through: .max), [ObjectChange(oid: oid, tid: tid1)])

            let poll = try reader.poll()
            XCTAssertEqual(poll.changes, [ObjectChange(oid: oid, tid: tid2)])
            XCTAssertEqual(poll.ownCommits, [])
            XCTAssertEqual(try reader.load(oid)?.state, state("v2"))
        }
    }

    /// Stores based on an outdated TID fail as a whole with the conflicting OIDs, and the
    /// buffer is dropped; the database keeps the winner's states.
    func conflictsWriteNothing() throws {
        try withConnections(2) { store, connections in
            let (first, second) = (connections[0], connections[1])
            _ = try first.poll()
            let oids = try store.newOIDs(count: 2)
            for oid in oids { first.store(oid, state("base"), expecting: nil) }
            let base = try first.commit()
            _ = try second.poll()

            first.store(oids[1], state("first"), expecting: base)
            let winner = try first.commit()
            second.store(oids[0], state("second"), expecting: base)
            second.store(oids[1], state("second"), expecting: base)
            XCTAssertThrowsError(try second.commit()) { error in
                XCTAssertEqual(error as? StorageError, .conflict(oids: [oids[1]]))
            }
            XCTAssertEqual(second.pendingStoreCount, 0, "a conflict drops the buffer")

            // A new object stored as new twice: the second is a conflict too.
            second.store(oids[0], state("again"), expecting: nil)
            XCTAssertThrowsError(try second.commit()) { error in
                XCTAssertEqual(error as? StorageError, .conflict(oids: [oids[0]]))
            }
            _ = try second.poll()
            XCTAssertEqual(try second.load(oids[0])?.state, state("base"), "nothing of the failed commit was written")
            XCTAssertEqual(try second.load(oids[1])?.tid, winner)
            XCTAssertEqual(try store.lastTransaction(), winner)
        }
    }

    /// TIDs increase strictly and are not earlier than the clock.
    func transactionIDsIncreaseWithTheClock() throws {
        try withConnections(1) { store, connections in
            let connection = connections[0]
            _ = try connection.poll()
            let before = TransactionID(secondsSince1970: Date().timeIntervalSince1970 - 5)
            var previous = TransactionID.zero
            for _ in 0..<20 {
                let tid = try connection.commit() // empty commits are transactions too
                XCTAssertGreaterThan(tid, previous)
                XCTAssertGreaterThanOrEqual(tid, before)
                previous = tid
            }
            XCTAssertEqual(try store.lastTransaction(), previous)
        }
    }

    /// OIDs are unique across stores of one database (processes, machines) and never 0.
    func newOIDsAreUniqueAcrossStores() throws {
        let one = try backend.open(), two = try backend.open()
        defer { one.close(); two.close() }
        var seen = Set<ObjectID>()
        for round in 0..<30 {
            for oid in try one.newOIDs(count: round % 7) + two.newOIDs(count: 150) {
                XCTAssertNotEqual(oid.rawValue, 0)
                XCTAssertTrue(seen.insert(oid).inserted, "\(oid) handed out twice")
            }
        }
        XCTAssertEqual(try one.newOIDs(count: 0), [])
        XCTAssertThrowsError(try one.newOIDs(count: -1))
    }

    /// `load(many:)`: existing objects present, missing ones absent, duplicates fine.
    func loadManyAnswersLikePointLoads() throws {
        try withConnections(1) { store, connections in
            let connection = connections[0]
            _ = try connection.poll()
            let oids = try store.newOIDs(count: 600)
            for oid in oids { connection.store(oid, state("object \(oid.rawValue)"), expecting: nil) }
            _ = try connection.commit()
            _ = try connection.poll()
            let missing = ObjectID(oids.last!.rawValue + 1_000_000)
            let asked = Array(oids.prefix(300)) + [missing, oids[0], oids[0]]
            let many = try connection.load(many: asked)
            XCTAssertEqual(many.count, 300)
            XCTAssertNil(many[missing])
            for oid in oids.prefix(300) {
                let point = try XCTUnwrap(try connection.load(oid))
                XCTAssertEqual(many[oid]?.state, point.state)
                XCTAssertEqual(many[oid]?.tid, point.tid)
            }
            XCTAssertEqual(try connection.load(many: []).count, 0)
            XCTAssertEqual(try store.objectCount(), 600)
        }
    }

    /// A released snapshot refuses loads; the next poll still lists what changed since.
    func releasedSnapshotStillPollsTheChanges() throws {
        try withConnections(2) { store, connections in
            let (idle, writer) = (connections[0], connections[1])
            _ = try idle.poll()
            idle.releaseSnapshot()
            XCTAssertNil(idle.snapshotTID)
            XCTAssertThrowsError(try idle.load(ObjectID(1))) { XCTAssertEqual($0 as? StorageError, .noSnapshot) }
            let (oid, tid) = try commitNewObject("x", through: writer, of: store)
            XCTAssertEqual(try idle.poll().changes, [ObjectChange(oid: oid, tid: tid)])
        }
    }

    /// An empty state (a deleted object) is a change like any other: polled, loadable.
    func emptyStatesArePolledAsChanges() throws {
        try withConnections(2) { store, connections in
            let (connection, other) = (connections[0], connections[1])
            let (oid, born) = try commitNewObject("alive", through: connection, of: store)
            _ = try other.poll()
            connection.store(oid, [], expecting: born)
            let deleted = try connection.commit()
            XCTAssertEqual(try other.poll().changes, [ObjectChange(oid: oid, tid: deleted)])
            XCTAssertEqual(try other.load(oid)?.state, [])
            XCTAssertEqual(try other.load(oid)?.tid, deleted)
        }
    }

    /// The identity survives reopening; change lists are ordered by TID, then OID, and
    /// history-free; large states and large commits round-trip.
    func identityChangeListsAndLargeCommits() throws {
        let store = try backend.open()
        let identity = store.identity
        let connection = try store.connect()
        _ = try connection.poll()
        let oids = try store.newOIDs(count: 3000)
        let big = (0..<(3 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        for oid in oids { connection.store(oid, state("small \(oid.rawValue)"), expecting: nil) }
        connection.store(oids[0], big, expecting: nil) // the same OID again: replaces the earlier store
        XCTAssertEqual(connection.pendingStoreCount, 3000)
        let tid1 = try connection.commit()
        connection.store(oids[5], state("later"), expecting: tid1)
        connection.store(oids[2], state("later"), expecting: tid1)
        let tid2 = try connection.commit()
        _ = try connection.poll()
        XCTAssertEqual(try connection.load(oids[0])?.state, big)
        let changes = try store.listChanges(after: .zero, through: .max)
        XCTAssertEqual(changes.count, 3000, "history-free: each object once")
        XCTAssertEqual(Array(changes.suffix(2)), [ObjectChange(oid: oids[2], tid: tid2), ObjectChange(oid: oids[5], tid: tid2)])
        XCTAssertEqual(changes.first?.tid, tid1)
        XCTAssertEqual(try store.listChanges(after: tid1, through: tid2).map(\.oid), [oids[2], oids[5]])
        XCTAssertEqual(try store.listChanges(after: tid2, through: tid1), [])
        connection.close()
        store.close()
        XCTAssertTrue(store.isClosed)
        XCTAssertThrowsError(try store.connect()) { XCTAssertEqual($0 as? StorageError, .closed) }

        let reopened = try backend.open()
        defer { reopened.close() }
        XCTAssertEqual(reopened.identity, identity)
        XCTAssertEqual(try reopened.lastTransaction(), tid2)
        XCTAssertFalse(reopened.databaseName.isEmpty)
    }

    /// Threads of several stores commit increments with conflict retries: no update is lost
    /// and every poll's change list accounts for every new TID.
    func concurrentIncrementsLoseNothing() throws {
        let stores = [try backend.open(), try backend.open()]
        defer { stores.forEach { $0.close() } }
        let oids: [ObjectID]
        do {
            let connection = try stores[0].connect()
            defer { connection.close() }
            _ = try connection.poll()
            oids = try stores[0].newOIDs(count: 5)
            for oid in oids { connection.store(oid, [0], expecting: nil) }
            _ = try connection.commit()
        }
        let committed = Locked(0)
        let failures = Locked<[String]>([])
        DispatchQueue.concurrentPerform(iterations: 4) { thread in
            do {
                let connection = try stores[thread % 2].connect()
                defer { connection.close() }
                var generator = SplitMix64(seed: UInt64(thread))
                for _ in 0..<40 {
                    while true {
                        _ = try connection.poll()
                        let oid = oids[Int(generator.next() % 5)]
                        let current = try XCTUnwrap(try connection.load(oid))
                        connection.store(oid, [current.state[0] &+ 1], expecting: current.tid)
                        do { _ = try connection.commit(); break } catch StorageError.Code.conflict { continue }
                    }
                    committed.withLock { $0 += 1 }
                }
            } catch {
                failures.withLock { $0.append("\(error)") }
            }
        }
        XCTAssertEqual(failures.withLock { $0 }, [])
        let check = try stores[1].connect()
        defer { check.close() }
        _ = try check.poll()
        let total = try check.load(many: oids).values.reduce(0) { $0 + Int($1.state[0]) }
        XCTAssertEqual(total, committed.withLock { $0 })
        XCTAssertEqual(total, 160)
    }
}
