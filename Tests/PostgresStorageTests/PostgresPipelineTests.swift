import CacheCore
import Foundation
@testable import PostgresStorage
import StorageTestSupport
import XCTest

/// The two-round-trip commit: libpq's pipeline mode as the handle drives it, and the
/// statements that lock, check, choose the TID and write.
final class PostgresPipelineTests: XCTestCase {
    private var backend: StorageBackend?

    override func tearDown() {
        backend?.remove()
    }

    private func freshDatabase(_ label: String = #function) throws -> StorageBackend {
        let made = try StorageBackend.make(.postgres, label: label)
        backend = made
        return made
    }

    /// A fresh database's store and a polled connection on it, both closed when the test ends;
    /// `prepare` runs SQL on the database after the store created its schema, before connecting.
    private func polledConnection(_ label: String = #function, prepare: String? = nil)
        throws -> (store: PostgresObjectStore, connection: PostgresConnection) {
        let database = try freshDatabase(label)
        let store = try XCTUnwrap(try database.open() as? PostgresObjectStore)
        addTeardownBlock { store.close() }
        if let prepare { try PostgresTestServer.execute(prepare, on: database.location) }
        let connection = try store.connect()
        addTeardownBlock { connection.close() }
        _ = try connection.poll()
        return (store, connection)
    }

    private func session(on database: StorageBackend) throws -> PostgresConnectionHandle {
        try PostgresConnectionHandle.connect(to: database.location, location: "test", connectTimeout: .seconds(10))
    }

    func testAPipelineAnswersEveryStatementInOrder() throws {
        let handle = try session(on: try freshDatabase())
        defer { handle.close() }
        var answered = -1
        let results = try handle.pipeline([
            PostgresStatement("BEGIN"),
            PostgresStatement("SELECT $1::int8 * 2", [.int8(21)], prepareAs: "double"),
            PostgresStatement("SELECT $1::bytea", [.bytea([1, 2, 3])]),
            PostgresStatement("SELECT x::int8 FROM generate_series(1, 3) AS x"),
        ], answered: &answered)
        XCTAssertEqual(answered, 4)
        XCTAssertEqual(results.count, 4)
        XCTAssertEqual(try results[1].int64(0, 0), 42)
        XCTAssertEqual(results[2].bytes(0, 0), [1, 2, 3])
        XCTAssertEqual(try (0..<results[3].rowCount).map { try results[3].int64($0, 0) }, [1, 2, 3])
        XCTAssertTrue(handle.isInTransaction, "a sync does not end an explicit transaction")
        // Out of pipeline mode again: a plain call works, and the prepared statement is reused.
        try handle.execute("COMMIT")
        XCTAssertEqual(try handle.query("SELECT $1::int8 * 2", [.int8(5)], prepareAs: "double").int64(0, 0), 10)
        XCTAssertFalse(handle.isBroken)
    }

    func testAFailingStatementStopsThePipelineAndTheSessionStaysUsable() throws {
        let handle = try session(on: try freshDatabase())
        defer { handle.close() }
        try handle.execute("CREATE TABLE t (x int8 PRIMARY KEY)")
        var answered = -1
        XCTAssertThrowsError(try handle.pipeline([
            PostgresStatement("BEGIN"),
            PostgresStatement("INSERT INTO t VALUES (1)"),
            PostgresStatement("INSERT INTO t VALUES (1)"), // duplicate key
            PostgresStatement("INSERT INTO t VALUES (2)"),
        ], answered: &answered)) { error in
            guard let failure = (error as? StorageError)?.postgresFailure else { return XCTFail("\(error)") }
            XCTAssertEqual(failure.sqlState, "23505")
            XCTAssertEqual(failure.sql, "INSERT INTO t VALUES (1)")
        }
        XCTAssertEqual(answered, 2, "BEGIN and the first insert succeeded")
        XCTAssertFalse(handle.isBroken)
        XCTAssertTrue(handle.isInTransaction, "the aborted transaction waits for its ROLLBACK")
        try handle.execute("ROLLBACK")
        XCTAssertEqual(try handle.query("SELECT count(*) FROM t").int64(0, 0), 0, "nothing after the failure ran")
    }

    func testAPipelineOnASessionTheServerEndedIsALostConnection() throws {
        let database = try freshDatabase()
        let handle = try session(on: database)
        defer { handle.close() }
        let server = try PostgresTestServer.url()
        try PostgresTestServer.terminateSessions(of: database.location, from: server)
        // pg_terminate_backend only signals: wait until the backend is gone.
        let admin = try PostgresConnectionHandle.connect(to: server, location: "admin", connectTimeout: .seconds(10))
        defer { admin.close() }
        for _ in 0..<500 {
            let sessions = try admin.execute("""
                SELECT 1 FROM pg_stat_activity WHERE datname = '\(PostgresTestServer.databaseName(database.location))'
                """).rowCount
            if sessions == 0 { break }
            usleep(10_000)
        }
        var answered = -1
        XCTAssertThrowsError(try handle.pipeline([PostgresStatement("BEGIN"), PostgresStatement("SELECT 1")],
                                                 answered: &answered)) { error in
            guard (error as? StorageError)?.code == .connectionLost else { return XCTFail("\(error)") }
        }
        XCTAssertEqual(answered, 0)
        XCTAssertTrue(handle.isBroken, "abandoned")
    }

    func testTheCommitTIDIsTheServerClockAsATimeStamp() throws {
        let (store, connection) = try polledConnection()
        // Server and tests share the host's clock; a wrong field in the TimeStamp (a month, a
        // day, the 2³²/60 scale) would be off by far more than the second allowed.
        let before = TransactionID(secondsSince1970: Date().timeIntervalSince1970 - 1)
        connection.store(try store.newOIDs(count: 1)[0], [1], expecting: nil)
        let tid = try connection.commit()
        let after = TransactionID(secondsSince1970: Date().timeIntervalSince1970 + 1)
        XCTAssertGreaterThanOrEqual(tid, before, tid.utcDateString)
        XCTAssertLessThanOrEqual(tid, after, tid.utcDateString)
        XCTAssertEqual(try store.lastTransaction(), tid)
    }

    func testACommitAfterATIDAheadOfTheClockTakesTheNextOne() throws {
        let ahead = TransactionID(secondsSince1970: Date().timeIntervalSince1970 + 86_400 * 400)
        let (store, connection) = try polledConnection(prepare: "INSERT INTO transaction_log VALUES (\(ahead.rawValue), 0)")
        connection.store(try store.newOIDs(count: 1)[0], [1], expecting: nil)
        XCTAssertEqual(try connection.commit(), ahead.successor)
    }

    func testACommitWhenTheTIDSpaceIsExhaustedIsRefusedAndWritesNothing() throws {
        let (store, connection) = try polledConnection(prepare: "INSERT INTO transaction_log VALUES (\(Int64.max), 0)")
        let oid = try store.newOIDs(count: 1)[0]
        connection.store(oid, [1], expecting: nil)
        XCTAssertThrowsError(try connection.commit()) { error in
            guard let storageError = error as? StorageError, storageError.code == .invalidArgument else { return XCTFail("\(error)") }
            let text = storageError.message
            XCTAssertTrue(text.contains("exhausted"), text)
        }
        XCTAssertEqual(try store.objectCount(), 0)
        store.checkInvariants()
    }

    func testAConflictWritesNothingAndTheWriterSessionIsReused() throws {
        let (store, connection) = try polledConnection()
        let oids = try store.newOIDs(count: 3)
        for oid in oids { connection.store(oid, [1], expecting: nil) }
        let first = try connection.commit()
        // Two of three objects are stale (one new-object claim, one old TID): both reported, in
        // OID order, and none of the three written.
        connection.store(oids[2], [2], expecting: nil)
        connection.store(oids[1], [2], expecting: first)
        connection.store(oids[0], [2], expecting: TransactionID(first.rawValue - 1))
        XCTAssertThrowsError(try connection.commit()) { error in
            XCTAssertEqual(error as? StorageError, .conflict(oids: [oids[0], oids[2]]))
        }
        XCTAssertEqual(try store.lastTransaction(), first)
        _ = try connection.poll()
        XCTAssertEqual(try connection.load(oids[1])?.state, [1])
        store.checkInvariants()
        // The session went back to the pool out of its transaction and commits again.
        connection.store(oids[1], [3], expecting: first)
        XCTAssertGreaterThan(try connection.commit(), first)
    }
}
