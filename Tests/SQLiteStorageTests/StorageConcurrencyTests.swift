import CacheCore
import Foundation
import Synchronization
import XCTest
@testable import SQLiteStorage

/// Threads committing, reading and allocating at once, in one process — through one store and
/// through two stores on the same directory (as two processes would).
final class StorageConcurrencyTests: StorageTestCase {
    /// Every TID in the transaction log, ascending.
    private func loggedTIDs(_ store: SQLiteObjectStore) throws -> [TransactionID] {
        try store.writer.withLock { (handle) throws(StorageError) -> [TransactionID] in
            let statement = try handle!.prepare("SELECT tid FROM transaction_log ORDER BY tid")
            var tids: [TransactionID] = []
            while try statement.step() { tids.append(TransactionID(statement.uint64(at: 0))) }
            return tids
        }
    }

    func testTIDsStrictlyIncreaseUnderConcurrentCommitters() throws {
        let first = try openStore { $0.oidBlockSize = 5 }
        let second = try openStore { $0.oidBlockSize = 5 }
        defer { first.close(); second.close() }
        let counter = ObjectID.root
        let setup = try first.connect()
        setup.store(counter, TestState.make(counter, version: 0), expecting: nil)
        _ = try setup.commit()
        setup.close()

        let threads = 4, commitsPerThread = 40
        let results = Locked<[Int: [TransactionID]]>([:])
        let created = Locked<[(oid: ObjectID, tid: TransactionID)]>([])
        try runOnThreads(threads) { index in
            let store = index % 2 == 0 ? first : second
            let connection = try store.connect()
            defer { connection.close() }
            var mine: [TransactionID] = []
            var objects: [(oid: ObjectID, tid: TransactionID)] = []
            while mine.count < commitsPerThread {
                _ = try connection.poll()
                guard let current = try connection.load(counter),
                      let decoded = TestState.decode(current.state) else { throw TestFailure("no counter") }
                connection.store(counter, TestState.make(counter, version: decoded.version + 1), expecting: current.tid)
                let new = try store.newOIDs(count: 1 + mine.count % 3)
                for oid in new { connection.store(oid, TestState.make(oid, version: 1), expecting: nil) }
                do {
                    let tid = try connection.commit()
                    mine.append(tid)
                    for oid in new { objects.append((oid, tid)) }
                } catch let error as StorageError where error.code == .conflict {
                    let oids = error.conflictingOIDs
                    guard oids == [counter] else { throw TestFailure("unexpected conflict on \(oids)") }
                }
            }
            let committed = mine
            results.withLock { $0[index] = committed }
            let written = objects
            created.withLock { $0 += written }
        }

        let perThread = results.withLock { $0 }
        var all: [TransactionID] = []
        for (index, tids) in perThread {
            XCTAssertEqual(tids.count, commitsPerThread)
            XCTAssertEqual(tids, tids.sorted(), "thread \(index) saw its TIDs increase")
            all += tids
        }
        XCTAssertEqual(Set(all).count, all.count, "no TID was handed out twice")
        let logged = try loggedTIDs(first)
        XCTAssertEqual(logged.count, all.count + 1)
        XCTAssertEqual(Array(logged.dropFirst()), all.sorted(), "the log holds exactly the successful commits")

        // No lost update: the counter's version counts every successful commit.
        let reader = try first.connect()
        _ = try reader.poll()
        XCTAssertEqual(try reader.load(counter).flatMap { TestState.decode($0.state) }?.version, UInt64(all.count))
        // Every created object is there with the TID of its commit.
        let objects = created.withLock { $0 }
        XCTAssertEqual(Set(objects.map(\.oid)).count, objects.count, "an OID was created twice")
        for (oid, tid) in objects {
            XCTAssertEqual(try reader.load(oid)?.tid, tid)
        }
        first.checkInvariants()
        second.checkInvariants()
    }

    func testReadersSeeWholeTransactionsWhileWritersCommit() throws {
        let store = try openStore()
        defer { store.close() }
        // A and B are always written together, with the same version.
        let oids = try store.newOIDs(count: 2)
        let setup = try store.connect()
        for oid in oids { setup.store(oid, TestState.make(oid, version: 0, padding: 100), expecting: nil) }
        _ = try setup.commit()
        setup.close()

        let stop = Atomic<Bool>(false)
        let checks = Atomic<Int>(0)
        try runOnThreads(4) { index in
            let connection = try store.connect()
            defer { connection.close() }
            if index == 0 {
                // The writer: 150 commits of both objects.
                defer { stop.store(true, ordering: .releasing) }
                for _ in 0..<150 {
                    _ = try connection.poll()
                    let loaded = try oids.map { oid -> ObjectState in
                        guard let value = try connection.load(oid) else { throw TestFailure("missing \(oid)") }
                        return value
                    }
                    let version = TestState.decode(loaded[0].state)!.version + 1
                    for (oid, value) in zip(oids, loaded) {
                        connection.store(oid, TestState.make(oid, version: version, padding: 100), expecting: value.tid)
                    }
                    _ = try connection.commit()
                }
                return
            }
            // Readers: both objects always come from the same transaction, and a snapshot
            // does not move between polls.
            while !stop.load(ordering: .acquiring) {
                let poll = try connection.poll()
                let many = try connection.load(many: oids)
                guard let a = try connection.load(oids[0]), let b = try connection.load(oids[1]),
                      let manyA = many[oids[0]], let manyB = many[oids[1]] else { throw TestFailure("missing object") }
                guard a.tid == b.tid, a.tid == manyA.tid, b.tid == manyB.tid, a.tid <= poll.newTID,
                      TestState.decode(a.state)?.version == TestState.decode(b.state)?.version else {
                    throw TestFailure("torn read at snapshot \(poll.newTID): \(a.tid) vs \(b.tid)")
                }
                if let changes = poll.changes, !changes.isEmpty {
                    guard Set(changes.map(\.oid)) == Set(oids), changes.allSatisfy({ $0.tid == a.tid }) else {
                        throw TestFailure("poll changes \(changes) disagree with loads at \(a.tid)")
                    }
                }
                _ = checks.add(1, ordering: .relaxed)
            }
        }
        XCTAssertGreaterThan(checks.load(ordering: .relaxed), 0)
    }

    func testOIDsAreUniqueAcrossThreadsStoresAndReopens() throws {
        var seen: Set<ObjectID> = []
        var total = 0
        for round in 0..<2 {
            // Two stores on one directory (two "processes"), four threads each, small blocks.
            let stores = try (0..<2).map { _ in try openStore { $0.oidBlockSize = 20 + round } }
            let allocated = Locked<[ObjectID]>([])
            try runOnThreads(8) { index in
                var mine: [ObjectID] = []
                for step in 0..<40 {
                    mine += try stores[index % 2].newOIDs(count: (index + step) % 13)
                }
                let result = mine
                allocated.withLock { $0 += result }
            }
            for store in stores {
                store.checkInvariants()
                store.close()
            }
            let oids = allocated.withLock { $0 }
            total += oids.count
            seen.formUnion(oids)
            XCTAssertEqual(seen.count, total, "round \(round): an OID was handed out twice")
        }
        XCTAssertFalse(seen.contains(.root), "OID 0 is the root, never allocated")
        XCTAssertGreaterThan(total, 1000)
    }
}
