import CacheCore
import Foundation
import XCTest
@testable import SQLiteStorage

/// The OID allocator across restarts, lost files and restored backups.
final class StorageOIDTests: StorageTestCase {
    private func removeOIDDatabase(_ store: SQLiteObjectStore) throws {
        let path = store.oidDatabaseURL.path
        try FileManager.default.removeItem(atPath: path)
        for suffix in ["-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    }

    func testAllocationStartsAtOneAndNeverReusesABlockAfterRestart() throws {
        let store = try openStore { $0.oidBlockSize = 100 }
        XCTAssertEqual(try store.newOIDs(count: 3), [1, 2, 3].map { ObjectID(UInt64($0)) })
        XCTAssertEqual(try store.newOIDs(count: 0), [])
        guard storageError({ try store.newOIDs(count: -1) })?.code == .invalidArgument else {
            return XCTFail("a negative count is refused")
        }
        // A request larger than what is left takes the rest of the block, then a block of
        // the size still needed: here 97 OIDs from [1, 101), then a block [101, 254).
        let big = try store.newOIDs(count: 250)
        XCTAssertEqual(big.count, 250)
        XCTAssertEqual(big.first, ObjectID(4))
        XCTAssertEqual(Set(big).count, 250)
        store.close()

        // The rest of the last block died with the process: the next one starts after it.
        let reopened = try openStore { $0.oidBlockSize = 100 }
        defer { reopened.close() }
        let next = try reopened.newOIDs(count: 1)[0]
        XCTAssertGreaterThan(next, big.last!)
        XCTAssertEqual(big.last, ObjectID(253))
        XCTAssertEqual(next, ObjectID(254), "a new block after [1, 101) and [101, 254)")
    }

    func testLostOIDDatabaseIsRecreatedAboveEveryStoredOID() throws {
        let store = try openStore()
        let connection = try store.connect()
        connection.store(ObjectID(5000), [1], expecting: nil)
        connection.store(ObjectID(17), [1], expecting: nil)
        _ = try connection.commit()
        connection.close()
        store.close()
        try removeOIDDatabase(store)

        let reopened = try openStore()
        defer { reopened.close() }
        XCTAssertEqual(try reopened.newOIDs(count: 1), [ObjectID(5001)])
    }

    func testOlderOIDDatabaseFromABackupIsMovedPastStoredOIDs() throws {
        let store = try openStore { $0.oidBlockSize = 10 }
        _ = try store.newOIDs(count: 1)
        store.close()
        // A copy of the OID database as it was then (the store is closed, so the file is whole).
        let backup = directory.appendingPathComponent("oids-backup.sqlite3")
        try FileManager.default.copyItem(at: store.oidDatabaseURL, to: backup)

        let later = try openStore { $0.oidBlockSize = 10 }
        let connection = try later.connect()
        let used = try later.newOIDs(count: 35)
        for oid in used { connection.store(oid, [1], expecting: nil) }
        _ = try connection.commit()
        connection.close()
        later.close()

        try removeOIDDatabase(later)
        try FileManager.default.copyItem(at: backup, to: later.oidDatabaseURL)
        let restored = try openStore { $0.oidBlockSize = 10 }
        defer { restored.close() }
        let fresh = try restored.newOIDs(count: 20)
        XCTAssertTrue(Set(fresh).isDisjoint(with: used), "no OID in use is handed out again")
        XCTAssertGreaterThan(fresh.min()!, used.max()!)
    }

    func testRenewIdentityAfterARestoreKeepsObjectsAndOIDs() throws {
        let store = try openStore { $0.oidBlockSize = 10 }
        let before = store.identity
        let connection = try store.connect()
        let oids = try store.newOIDs(count: 3)
        connection.store(oids[0], [1], expecting: nil)
        let tid = try connection.commit()
        connection.close()
        store.close()

        let renewed = try SQLiteObjectStore.renewIdentity(at: databaseURL)
        XCTAssertNotEqual(renewed, before)
        let reopened = try openStore { $0.oidBlockSize = 10 }
        defer { reopened.close() }
        XCTAssertEqual(reopened.identity, renewed, "both files carry the new identity")
        XCTAssertEqual(try reopened.lastTransaction(), tid)
        XCTAssertGreaterThan(try reopened.newOIDs(count: 1)[0], oids.max()!)

        // Interrupted halfway (only the object database renewed): reported, then repaired.
        reopened.close()
        let objects = try SQLiteConnectionHandle.open(path: reopened.objectsDatabaseURL.path, readOnly: false,
                                                      create: false, busyTimeout: .seconds(1))
        try objects.execute("UPDATE database_info SET identity = randomblob(16)")
        objects.close()
        guard storageError({ try self.openStore() })?.code == .mismatchedOIDDatabase else {
            return XCTFail("expected the mismatch to be reported")
        }
        let repaired = try SQLiteObjectStore.renewIdentity(at: databaseURL)
        let again = try openStore()
        XCTAssertEqual(again.identity, repaired)
        again.close()
    }
}
