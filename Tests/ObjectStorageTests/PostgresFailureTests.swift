import CacheCore
import Foundation
@testable import PostgresStorage
import XCTest

/// Bad input and a server that goes away: a clear error, nothing lost, the next poll recovers.
final class PostgresFailureTests: XCTestCase {
    private var backend: StorageBackend?
    private var store: PostgresObjectStore?
    private var connection: PostgresConnection?

    override func tearDown() {
        connection?.close()
        store?.close()
        backend?.remove()
    }

    private func freshDatabase(_ label: String = #function) throws -> StorageBackend {
        let made = try StorageBackend.make(.postgres, label: label)
        backend = made
        return made
    }

    /// A fresh database, a store open on it and a connection that has polled once (the
    /// snapshot the failure tests break); closed when the test ends.
    private func polledConnection(_ label: String = #function) throws
        -> (database: StorageBackend, store: PostgresObjectStore, connection: PostgresConnection) {
        let database = try freshDatabase(label)
        let store = try XCTUnwrap(try database.open() as? PostgresObjectStore)
        self.store = store
        let connection = try store.connect()
        self.connection = connection
        _ = try connection.poll()
        return (database, store, connection)
    }

    func testAMalformedTargetIsAnInvalidArgument() throws {
        XCTAssertThrowsError(try PostgresObjectStore.open("host=/tmp dbname")) { error in
            guard case StorageError.invalidArgument(let text) = error else { return XCTFail("\(error)") }
            XCTAssertTrue(text.contains("not a PostgreSQL URL or connection string"), text)
        }
        XCTAssertThrowsError(try PostgresObjectStore.open("postgresql://[::1/db")) { error in
            guard case StorageError.invalidArgument = error else { return XCTFail("\(error)") }
        }
    }

    func testARefusedConnectionNamesTheServerButNotThePassword() throws {
        let target = "postgresql://someone:secret@/objects?host=/nonexistent-statecache-socket-dir&port=1"
        XCTAssertThrowsError(try PostgresObjectStore.open(target)) { error in
            guard case StorageError.cannotConnect(let location, let message) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(location, "postgresql://someone:***@/objects?host=/nonexistent-statecache-socket-dir&port=1")
            XCTAssertFalse(message.isEmpty)
            XCTAssertFalse("\(error)".contains("secret"), "\(error)")
        }
        XCTAssertEqual(PostgresTarget.redacted("host=/x password=hunter2 dbname=y"), "host=/x password=*** dbname=y")
        XCTAssertEqual(PostgresTarget.redacted("postgres://u@h/db?password=p&sslmode=disable"), "postgres://u@h/db?password=***&sslmode=disable")
    }

    func testTargetsAreToldFromPaths() {
        XCTAssertTrue(PostgresTarget.isPostgres("postgresql://u@host/db"))
        XCTAssertTrue(PostgresTarget.isPostgres("POSTGRES://host/db"))
        XCTAssertTrue(PostgresTarget.isPostgres("host=/run/postgresql dbname=objects"))
        XCTAssertFalse(PostgresTarget.isPostgres("/var/lib/objects"))
        XCTAssertFalse(PostgresTarget.isPostgres("data/a=b"))
        XCTAssertFalse(PostgresTarget.isPostgres("relative dir"))
    }

    func testAnotherApplicationsTablesAreRefusedAndLeftAlone() throws {
        let database = try freshDatabase()
        try PostgresTestServer.execute("CREATE TABLE object_state (zoid int8 PRIMARY KEY, tid int8, state_size int8, state bytea)",
                                       on: database.location)
        XCTAssertThrowsError(try database.open()) { error in
            guard case StorageError.foreignDatabase(_, let detail) = error else { return XCTFail("\(error)") }
            XCTAssertTrue(detail.contains("object_state"), detail)
        }
        // Untouched: our tables were not created beside it.
        XCTAssertThrowsError(try PostgresTestServer.execute("SELECT 1 FROM statecache_info", on: database.location))
    }

    func testANewerSchemaIsRefused() throws {
        let database = try freshDatabase()
        try database.open().close()
        try PostgresTestServer.execute("UPDATE statecache_info SET schema_version = 99", on: database.location)
        XCTAssertThrowsError(try database.open()) { error in
            guard case StorageError.newerSchema(_, let found, let supported) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(found, 99)
            XCTAssertEqual(supported, PostgresSchema.currentVersion)
        }
    }

    func testAnEmptyDatabaseIsNotCreatedWhenAskedNotTo() throws {
        let database = try freshDatabase()
        var options = PostgresStorageOptions()
        options.createIfMissing = false
        XCTAssertThrowsError(try PostgresObjectStore.open(database.location, options: options)) { error in
            guard case StorageError.notFound = error else { return XCTFail("\(error)") }
        }
    }

    /// Kills every other session of the database, as a server restart or a network cut would.
    private func terminateSessions(of database: StorageBackend) throws {
        try PostgresTestServer.execute("""
            SELECT pg_terminate_backend(pid) FROM pg_stat_activity
            WHERE datname = current_database() AND pid <> pg_backend_pid()
            """, on: database.location)
    }

    func testALostSessionEndsTheSnapshotAndTheNextPollReconnectsAndMissesNothing() throws {
        let (database, store, connection) = try polledConnection()
        let oid = try store.newOIDs(count: 1)[0]
        connection.store(oid, [1], expecting: nil)
        let born = try connection.commit()
        _ = try connection.poll()

        try terminateSessions(of: database)
        XCTAssertThrowsError(try connection.load(oid)) { error in
            guard case StorageError.connectionLost = error else { return XCTFail("\(error)") }
        }
        XCTAssertNil(connection.snapshotTID, "the snapshot died with the session")
        XCTAssertThrowsError(try connection.load(oid)) { XCTAssertEqual($0 as? StorageError, .noSnapshot) }

        // Meanwhile someone else commits; the reconnecting poll lists it.
        let other = try store.connect()
        defer { other.close() }
        _ = try other.poll()
        other.store(oid, [2], expecting: born)
        let changed = try other.commit()
        let poll = try connection.poll()
        XCTAssertEqual(poll.previousTID, born)
        XCTAssertEqual(poll.changes, [ObjectChange(oid: oid, tid: changed)])
        XCTAssertEqual(try connection.load(oid)?.state, [2])
        connection.checkInvariants()
        store.checkInvariants()
    }

    func testAnIdleWriterSessionThatDiedIsReplacedWithoutAnError() throws {
        let (database, store, connection) = try polledConnection()
        _ = try connection.commit() // a writer session is now pooled
        try terminateSessions(of: database)
        let oid = try store.newOIDs(count: 1)[0] // the store's own session reconnects too
        connection.store(oid, [7], expecting: nil)
        let tid = try connection.commit()
        XCTAssertEqual(try store.listChanges(after: .zero, through: .max).filter { $0.oid == oid }, [ObjectChange(oid: oid, tid: tid)])
        store.checkInvariants()
    }

    func testACommitWhoseSessionDiesMidwayWritesNothingAndCanBeRetried() throws {
        let (database, store, connection) = try polledConnection()
        let oid = try store.newOIDs(count: 1)[0]
        connection.store(oid, [7], expecting: nil)
        let before = try store.lastTransaction()

        let box = UncheckedBox(connection)
        let error = try PostgresTestServer.killDuringCommit(on: database.location) { _ = try box.value.commit() }
        guard case .some(StorageError.connectionLost) = error else { return XCTFail("\(String(describing: error))") }
        XCTAssertEqual(connection.pendingStoreCount, 1, "kept for a retry")
        XCTAssertEqual(try store.lastTransaction(), before, "nothing was committed")
        XCTAssertEqual(try store.listChanges(after: .zero, through: .max).filter { $0.oid == oid }, [])

        let tid = try connection.commit()
        _ = try connection.poll()
        XCTAssertEqual(try connection.load(oid)?.tid, tid)
        store.checkInvariants()
    }
}

/// Hands a non-`Sendable` value to one other thread while this one waits for it.
final class UncheckedBox<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
