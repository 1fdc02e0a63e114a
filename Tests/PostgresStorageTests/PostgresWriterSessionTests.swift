import CacheCore
import Foundation
@testable import PostgresStorage
import StorageTestSupport
import XCTest

/// The writer pool's upload table does not keep a bulk load's pages for every later commit.
final class PostgresWriterSessionTests: XCTestCase {
    private var backend: StorageBackend?

    override func tearDown() {
        backend?.remove()
    }

    /// The upload table's size, read on the pooled writer session (its temporary table).
    private func uploadTableBytes(_ store: PostgresObjectStore) throws -> Int64 {
        try store.inWriteTransaction { (session) throws(StorageError) -> Int64 in
            let size = try session.handle.query("SELECT pg_relation_size('statecache_upload')::int8").int64(0, 0) ?? -1
            try session.handle.execute("ROLLBACK")
            return size
        }
    }

    func testOnlyACommitLargerThanOneMessageUsesTheUploadTableWhichIsThenTruncated() throws {
        let made = try StorageBackend.make(.postgres, label: #function)
        backend = made
        let store = try XCTUnwrap(try made.open() as? PostgresObjectStore)
        defer { store.close() }
        let connection = try store.connect()
        defer { connection.close() }
        _ = try connection.poll()

        for oid in try store.newOIDs(count: 100) { connection.store(oid, [UInt8](repeating: 1, count: 500), expecting: nil) }
        _ = try connection.commit()
        XCTAssertEqual(try uploadTableBytes(store), 0, "states that fit one message go with the call")

        // 36 MiB: two states through the upload table (32 MiB chunks), the third with the call.
        let large = try store.newOIDs(count: 3)
        for (index, oid) in large.enumerated() {
            connection.store(oid, [UInt8](repeating: UInt8(index + 2), count: 12 << 20), expecting: nil)
        }
        let tid = try connection.commit()
        XCTAssertEqual(try uploadTableBytes(store), 0, "truncated after the commit that used it")
        _ = try connection.poll()
        let loaded = try connection.load(many: large)
        for (index, oid) in large.enumerated() {
            XCTAssertEqual(loaded[oid]?.tid, tid)
            XCTAssertEqual(loaded[oid]?.state.count, 12 << 20)
            XCTAssertEqual(loaded[oid]?.state.first, UInt8(index + 2))
            XCTAssertEqual(loaded[oid]?.state.last, UInt8(index + 2))
        }
        store.checkInvariants()
    }
}
