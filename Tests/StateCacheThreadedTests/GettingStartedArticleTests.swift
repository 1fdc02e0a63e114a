import Foundation
import StateCache
import StateCacheThreaded
import XCTest
import TestSupport

/// The DocC article "Getting started with a storage client" (`StateCache.docc/GettingStarted.md`),
/// step by step on SQLite, so the article stays true to the API.
final class GettingStartedArticleTests: ScratchDirectoryTestCase {
    /// The database's directory, inside the test's scratch directory and not created yet: the
    /// open creates it, as for a new database.
    var databaseURL: URL { directory.appendingPathComponent("db") }

    func testTheArticleSteps() throws {
        // Open the database (the article's StorageLocation(parsing:) form of a directory path).
        var options = DatabaseOptions()
        options.cache.cacheLocalMB = 100
        XCTAssertEqual(StorageLocation(parsing: databaseURL.path), .sqlite(directory: databaseURL))
        let db = try Database.open(StorageLocation(parsing: databaseURL.path), options: options)

        // Connect and poll.
        let conn = try db.connect()
        XCTAssertNil(try conn.poll().changes, "the first poll has no change list")

        // Store and commit.
        let oid = try db.newOID()
        conn.store(oid, Array("hello".utf8), expecting: nil)
        let tid = try conn.commit()

        // A conflict: another connection expected the object not to exist.
        let other = try db.connect()
        try other.poll()
        other.store(oid, Array("other".utf8), expecting: nil)
        do {
            _ = try other.commit()
            XCTFail("the commit should conflict")
        } catch let error as StorageError where error.code == .conflict {
            XCTAssertEqual(error.conflictingOIDs, [oid])
            try other.poll()
        }

        // Load after the next poll, from the cache.
        try conn.poll()
        let loaded = try conn.load(oid)
        XCTAssertEqual(loaded?.state, Array("hello".utf8))
        XCTAssertEqual(loaded?.tid, tid)
        let states = try conn.load(many: [oid])
        XCTAssertEqual(states[oid]?.tid, tid)
        XCTAssertEqual(conn.stats.hits, 2)
        XCTAssertEqual(db.cacheStats.entries, 1)

        // Close.
        other.close()
        conn.close()
        try db.close()
    }
}
