import Foundation
import StateCache
import StateCacheThreaded
import XCTest
import TestSupport

/// The public API as a storage client uses it, on a real SQLite database.
final class DatabaseTests: ScratchDirectoryTestCase {
    /// The database's directory, inside the test's scratch directory and not created yet: the
    /// open creates it, as for a new database.
    var databaseURL: URL { directory.appendingPathComponent("db") }

    /// The example of the README and issue 6, kept working.
    func testTheDocumentedExample() throws {
        var options = DatabaseOptions()
        options.cache.cacheLocalMB = 100
        let db = try Database.open(at: databaseURL, options: options)
        let conn = try db.connect()
        try conn.poll()                                  // new snapshot
        let oid = try db.newOID()
        conn.store(oid, Array("hello".utf8), expecting: nil)   // nil: a new object
        let tid = try conn.commit()
        try conn.poll()
        let loaded = try conn.load(oid)                  // ObjectState?
        XCTAssertEqual(loaded?.state, Array("hello".utf8))
        XCTAssertEqual(loaded?.tid, tid)
        XCTAssertEqual(conn.stats.hits, 1, "served from the entry cached at commit")
        XCTAssertEqual(db.cacheStats.entries, 1)
        conn.close()
        try db.close()
    }

    func testConflictAndRetry() throws {
        let db = try Database.open(at: databaseURL)
        let a = try db.connect(), b = try db.connect()
        try a.poll()
        let oid = try db.newOID()
        a.store(oid, [1], expecting: nil)
        let first = try a.commit()
        try a.poll()
        try b.poll()
        a.store(oid, [2], expecting: first)
        b.store(oid, [3], expecting: first)
        let second = try a.commit()
        XCTAssertThrowsError(try b.commit()) { error in
            XCTAssertEqual((error as? StorageError)?.code, .conflict)
            XCTAssertEqual((error as? StorageError)?.conflictingOIDs, [oid])
        }
        XCTAssertEqual(try b.load(oid)?.state, [1], "b still reads its snapshot")
        try b.poll()
        XCTAssertEqual(try b.load(oid)?.tid, second)
        XCTAssertEqual(try b.load(oid)?.state, [2])
        a.close(); b.close()
        try db.close()
    }

    func testLoadManyThroughTheCache() throws {
        let db = try Database.open(at: databaseURL)
        let conn = try db.connect()
        try conn.poll()
        let oids = try db.newOIDs(count: 50)
        for oid in oids { conn.store(oid, Array("state \(oid.rawValue)".utf8), expecting: nil) }
        try conn.commit()
        let other = try db.connect()
        try other.poll()
        let first = try other.load(many: oids + [ObjectID(999_999)])
        XCTAssertEqual(first.count, 50)
        XCTAssertEqual(other.stats.hits, 50, "the committer cached them")
        for oid in oids { XCTAssertEqual(first[oid]?.state, Array("state \(oid.rawValue)".utf8)) }
        conn.close(); other.close()
        try db.close()
    }

    func testDisabledCacheStillServesTheDatabase() throws {
        var options = DatabaseOptions()
        options.cache.cacheLocalMB = 0
        let db = try Database.open(at: databaseURL, options: options)
        let conn = try db.connect()
        try conn.poll()
        let oid = try db.newOID()
        conn.store(oid, [7], expecting: nil)
        try conn.commit()
        try conn.poll()
        XCTAssertEqual(try conn.load(oid)?.state, [7])
        XCTAssertEqual(conn.stats.hits, 0)
        conn.close()
        try db.close()
    }
}
