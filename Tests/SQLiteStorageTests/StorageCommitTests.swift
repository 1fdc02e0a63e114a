import CacheCore
import Foundation
import XCTest
@testable import SQLiteStorage

/// Commits: conflicts, TIDs, aborts, the busy timeout.
final class StorageCommitTests: StorageTestCase {
    func testConflictingUpdatesExactlyOneWinsAndNothingIsWritten() throws {
        try withConnections(2) { store, connections in
            let (first, second) = (connections[0], connections[1])
            let oids = try store.newOIDs(count: 3)
            first.store(oids[0], [0], expecting: nil)
            first.store(oids[1], [0], expecting: nil)
            let base = try first.commit()
            _ = try first.poll()
            _ = try second.poll()

            // Both read oids[0] at `base` and write it; the second also creates oids[2].
            first.store(oids[0], [1], expecting: base)
            second.store(oids[2], [2], expecting: nil)
            second.store(oids[0], [2], expecting: base)
            second.store(oids[1], [2], expecting: base)
            let winner = try first.commit()
            XCTAssertEqual(storageError { try second.commit() }, .conflict(oids: [oids[0]]))
            XCTAssertEqual(second.pendingStoreCount, 0, "a conflicting transaction's stores are dropped")

            // Nothing of the losing transaction was written: not oids[1], not the new oids[2].
            XCTAssertEqual(try store.lastTransaction(), winner)
            _ = try second.poll()
            XCTAssertEqual(try second.load(oids[0])?.state, [1])
            XCTAssertEqual(try second.load(oids[1])?.tid, base)
            XCTAssertNil(try second.load(oids[2]))

            // Retrying on the new snapshot succeeds.
            second.store(oids[0], [3], expecting: winner)
            let retried = try second.commit()
            XCTAssertGreaterThan(retried, winner)
        }
    }

    func testCreatingAnExistingObjectOrUpdatingAMissingOneConflicts() throws {
        try withConnections(1) { store, connections in
            let connection = connections[0]
            let oids = try store.newOIDs(count: 3)
            connection.store(oids[0], [1], expecting: nil)
            let tid = try connection.commit()

            connection.store(oids[0], [2], expecting: nil)       // exists already
            connection.store(oids[1], [2], expecting: tid)       // does not exist
            connection.store(oids[2], [2], expecting: nil)       // fine on its own
            XCTAssertEqual(storageError { try connection.commit() }, .conflict(oids: [oids[0], oids[1]]))
            XCTAssertEqual(try store.objectCount(), 1)

            connection.store(oids[0], [2], expecting: TransactionID(tid.rawValue - 1)) // an older TID
            XCTAssertEqual(storageError { try connection.commit() }, .conflict(oids: [oids[0]]))
        }
    }

    func testTIDsIncreaseAndFollowTheClock() throws {
        try withConnections(1) { store, connections in
            let connection = connections[0]
            let oid = try store.newOIDs(count: 1)[0]
            var previous: TransactionID?
            for version in 0..<50 {
                let before = TransactionID(secondsSince1970: Date().timeIntervalSince1970 - 0.001)
                connection.store(oid, [UInt8(version)], expecting: previous)
                let tid = try connection.commit()
                let after = TransactionID(secondsSince1970: Date().timeIntervalSince1970 + 0.001)
                if let previous { XCTAssertGreaterThan(tid, previous) }
                XCTAssertGreaterThanOrEqual(tid, before, "a TID is not earlier than the commit's wall-clock time")
                XCTAssertLessThanOrEqual(tid, after)
                previous = tid
            }
            // An empty commit is a transaction too.
            let empty = try connection.commit()
            XCTAssertGreaterThan(empty, previous!)
            XCTAssertEqual(try store.lastTransaction(), empty)
        }
    }

    func testTIDsStayIncreasingWhenTheLastTIDIsInTheFuture() throws {
        let store = try openStore()
        defer { store.close() }
        // A transaction from the far future (a clock that ran ahead, then was corrected).
        let future = TransactionID(secondsSince1970: Date().timeIntervalSince1970 + 86_400 * 365)
        try store.writer.withLock { (handle) throws(StorageError) in
            try handle!.execute("INSERT INTO transaction_log (tid, object_count) VALUES (\(Int64(bitPattern: future.rawValue)), 0)")
        }
        let connection = try store.connect()
        let tid = try connection.commit()
        XCTAssertEqual(tid, future.successor)
    }

    func testAbortDropsBufferedStores() throws {
        try withConnections(1) { store, connections in
            let connection = connections[0]
            let oid = try store.newOIDs(count: 1)[0]
            connection.store(oid, [1], expecting: nil)
            connection.abort()
            XCTAssertEqual(connection.pendingStoreCount, 0)
            _ = try connection.commit()
            _ = try connection.poll()
            XCTAssertNil(try connection.load(oid))
            connection.checkInvariants()
        }
    }

    func testLockedDatabaseTimesOutWithAClearErrorAndKeepsTheStores() throws {
        let store = try openStore { $0.busyTimeout = .milliseconds(300) }
        defer { store.close() }
        // Another "process": its own SQLite connection holding the write lock.
        let blocker = try SQLiteConnectionHandle.open(path: store.objectsDatabaseURL.path, readOnly: false,
                                                      create: false, busyTimeout: .zero)
        defer { blocker.close() }
        try blocker.execute("BEGIN IMMEDIATE")

        let connection = try store.connect()
        let oid = try store.newOIDs(count: 1)[0]   // OIDs do not wait for the commit lock
        connection.store(oid, [1], expecting: nil)
        let started = ContinuousClock.now
        let error = storageError { try connection.commit() }
        let waited = ContinuousClock.now - started
        guard let error, error.code == .busy, let failure = error.sqliteFailure else {
            return XCTFail("expected .busy with SQLite's report, got \(String(describing: error))")
        }
        XCTAssertTrue(error.isRetryable)
        XCTAssertEqual(failure.primaryCode, 5, "SQLITE_BUSY")
        XCTAssertEqual(failure.sql, "BEGIN IMMEDIATE")
        XCTAssertTrue(error.message.contains("\(Duration.milliseconds(300))"), error.message)
        XCTAssertTrue(error.description.contains("locked"), error.description)
        XCTAssertGreaterThanOrEqual(waited, .milliseconds(250), "waited for the busy timeout")
        XCTAssertLessThan(waited, .seconds(5))
        XCTAssertEqual(connection.pendingStoreCount, 1, "the stores survive a busy failure")

        // Readers are not blocked by the writer.
        _ = try connection.poll()
        try blocker.execute("ROLLBACK")
        let tid = try connection.commit()
        _ = try connection.poll()
        XCTAssertEqual(try connection.load(oid)?.tid, tid)
    }

    func testReadOnlyStoreReadsButRefusesWrites() throws {
        let writable = try openStore()
        let connection = try writable.connect()
        let oid = try writable.newOIDs(count: 1)[0]
        connection.store(oid, [5], expecting: nil)
        let tid = try connection.commit()
        let identity = writable.identity

        let readOnly = try openStore { $0.readOnly = true }
        defer { readOnly.close() }
        XCTAssertEqual(readOnly.identity, identity)
        let reader = try readOnly.connect()
        _ = try reader.poll()
        XCTAssertEqual(try reader.load(oid)?.tid, tid)
        XCTAssertEqual(try readOnly.lastTransaction(), tid)
        reader.store(oid, [6], expecting: tid)
        XCTAssertEqual(storageError({ try reader.commit() })?.code, .readOnly)
        XCTAssertEqual(storageError({ try readOnly.newOIDs(count: 1) })?.code, .readOnly)
        connection.close()
        writable.close()
    }
}
