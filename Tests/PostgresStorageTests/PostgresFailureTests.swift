import CacheCore
import Foundation
@testable import PostgresStorage
import StorageTestSupport
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
    fileprivate func polledConnection(_ label: String = #function) throws
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
            guard let error = error as? StorageError, error.code == .invalidArgument else { return XCTFail("\(error)") }
            let text = error.message
            XCTAssertTrue(text.contains("not a PostgreSQL URL or connection string"), text)
        }
        XCTAssertThrowsError(try PostgresObjectStore.open("postgresql://[::1/db")) { error in
            guard case StorageError.Code.invalidArgument = error else { return XCTFail("\(error)") }
        }
    }

    func testARefusedConnectionNamesTheServerButNotThePassword() throws {
        let target = "postgresql://someone:secret@/objects?host=/nonexistent-statecache-socket-dir&port=1"
        XCTAssertThrowsError(try PostgresObjectStore.open(target)) { error in
            guard let error = error as? StorageError, error.code == .cannotConnect, let location = error.location,
                  let message = error.postgresFailure?.message else { return XCTFail("\(error)") }
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
            guard let error = error as? StorageError, error.code == .foreignDatabase else { return XCTFail("\(error)") }
            let detail = error.message
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
            guard let error = error as? StorageError, error.code == .newerSchema else { return XCTFail("\(error)") }
            XCTAssertTrue(error.message.contains("schema version 99, newer than this build supports (\(PostgresSchema.currentVersion))"),
                          error.message)
        }
    }

    func testAnEmptyDatabaseIsNotCreatedWhenAskedNotTo() throws {
        let database = try freshDatabase()
        var options = PostgresStorageOptions()
        options.createIfMissing = false
        XCTAssertThrowsError(try PostgresObjectStore.open(database.location, options: options)) { error in
            guard case StorageError.Code.notFound = error else { return XCTFail("\(error)") }
        }
    }

    // MARK: - Classification (no server needed)

    func testEveryWayASessionIsLostIsConnectionLost() {
        func classified(_ state: String, broken: Bool = false) -> StorageError {
            PostgresErrorClassification.error(for: PostgresFailure(sqlState: state, message: "m", sql: "SELECT 1"),
                                              sessionBroken: broken)
        }
        // The server said so: connection exceptions, shutdowns, a server not accepting
        // sessions yet, the idle timeouts.
        for state in ["08000", "08003", "08006", "08P01", "57P01", "57P02", "57P03", "57P05", "25P03"] {
            guard classified(state).code == .connectionLost, let failure = classified(state).postgresFailure else {
                return XCTFail("\(state): \(classified(state))")
            }
            XCTAssertEqual(failure.sqlState, state)
        }
        // libpq failed on its own ("server closed the connection unexpectedly", no SQLSTATE:
        // what `pg_ctl restart` gives, even while PQstatus still says CONNECTION_OK), or any
        // failure after which libpq's status is bad.
        XCTAssertEqual(classified("", broken: true).code, .connectionLost)
        XCTAssertEqual(classified("", broken: false).code, .connectionLost)
        XCTAssertEqual(classified("42P01", broken: true).code, .connectionLost)
        // The session is fine: the statement failed.
        for state in ["23505", "42P01", "53100", "40001", "57014"] {
            XCTAssertEqual(classified(state).code, .backendFailure, state)
            XCTAssertEqual(classified(state).postgresFailure?.sqlState, state)
        }
    }

    func testALostCommitIsAnUnknownOutcomeAndAFailedReconnectIsALostConnection() {
        let lost = PostgresFailure(sqlState: "", message: "server closed the connection unexpectedly", sql: "COMMIT")
        XCTAssertEqual(PostgresErrorClassification.commitFailure(.connectionLost(lost)), .commitOutcomeUnknown(lost))
        let refused = StorageError.postgres(PostgresFailure(sqlState: "23505", message: "duplicate key", sql: "COMMIT"))
        XCTAssertEqual(PostgresErrorClassification.commitFailure(refused), refused, "a refused COMMIT wrote nothing")

        let reconnect = PostgresErrorClassification.reconnectFailure(
            .cannotConnect(location: "postgresql:///x", message: "FATAL: the database system is starting up"))
        guard reconnect.code == .connectionLost, let failure = reconnect.postgresFailure else { return XCTFail("\(reconnect)") }
        XCTAssertEqual(failure.message, "cannot reconnect: FATAL: the database system is starting up")
        XCTAssertEqual(PostgresErrorClassification.reconnectFailure(.closed), .closed)
    }

    func testLibPQMessagesBecomeOneLine() {
        XCTAssertEqual("server closed the connection unexpectedly\n\tThis probably means the server terminated abnormally\n\tbefore or while processing the request.\n".oneLine(),
                       "server closed the connection unexpectedly This probably means the server terminated abnormally before or while processing the request.")
    }

    /// Kills every other session of the database, as a server restart or a network cut would.
    fileprivate func terminateSessions(of database: StorageBackend) throws {
        try PostgresTestServer.terminateSessions(of: database.location, from: PostgresTestServer.url())
    }

    func testALostSessionEndsTheSnapshotAndTheNextPollReconnectsAndMissesNothing() throws {
        let (database, store, connection) = try polledConnection()
        let oid = try store.newOIDs(count: 1)[0]
        connection.store(oid, [1], expecting: nil)
        let born = try connection.commit()
        _ = try connection.poll()

        try terminateSessions(of: database)
        XCTAssertThrowsError(try connection.load(oid)) { error in
            guard case StorageError.Code.connectionLost = error else { return XCTFail("\(error)") }
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
        guard case StorageError.Code.connectionLost? = error else { return XCTFail("\(String(describing: error))") }
        XCTAssertEqual(connection.pendingStoreCount, 1, "kept for a retry")
        XCTAssertEqual(try store.lastTransaction(), before, "nothing was committed")
        XCTAssertEqual(try store.listChanges(after: .zero, through: .max).filter { $0.oid == oid }, [])

        let tid = try connection.commit()
        _ = try connection.poll()
        XCTAssertEqual(try connection.load(oid)?.tid, tid)
        store.checkInvariants()
    }
}

extension PostgresFailureTests {
    /// A session lost while the server runs `COMMIT`: a deferred constraint trigger makes
    /// `COMMIT` sleep, and the test terminates the committing backend while it does.
    func testACommitWhoseSessionDiesDuringCommitHasAnUnknownOutcomeAndCanBeSettled() throws {
        let (database, store, connection) = try polledConnection()
        try PostgresTestServer.execute("""
            CREATE FUNCTION slow_commit() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN PERFORM pg_sleep(30); RETURN NULL; END $$;
            CREATE CONSTRAINT TRIGGER slow_commit AFTER INSERT ON transaction_log
            DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION slow_commit();
            """, on: database.location)
        let oid = try store.newOIDs(count: 1)[0]
        connection.store(oid, [7], expecting: nil)

        let outcome = Locked<(any Error)?>(nil)
        let finished = DispatchSemaphore(value: 0)
        let box = UncheckedBox(connection)
        Thread {
            do { _ = try box.value.commit() } catch { outcome.withLock { $0 = error } }
            finished.signal()
        }.start()
        var killed = false
        for _ in 0..<1000 where !killed {
            let admin = try PostgresConnectionHandle.connect(to: database.location, location: "admin", connectTimeout: .seconds(10))
            killed = try admin.execute("""
                SELECT pg_terminate_backend(pid) FROM pg_stat_activity
                WHERE datname = current_database() AND query = 'COMMIT' AND wait_event = 'PgSleep'
                """).rowCount > 0
            admin.close()
            if !killed { usleep(10_000) }
        }
        XCTAssertTrue(killed, "the commit never reached COMMIT")
        finished.wait()
        let error = outcome.withLock { $0 }
        guard let error = error as? StorageError, error.code == .commitOutcomeUnknown, let failure = error.postgresFailure else {
            return XCTFail("\(String(describing: error))")
        }
        XCTAssertEqual(failure.sql, "COMMIT")
        XCTAssertFalse(error.isRetryable)
        XCTAssertEqual(connection.pendingStoreCount, 1, "kept: committing it again is safe")

        // Settling: the next poll reconnects and a read tells (here: it did not land, the
        // server was killed before it finished).
        connection.releaseSnapshot() // its read lock on transaction_log would hold up DROP TRIGGER
        try PostgresTestServer.execute("DROP TRIGGER slow_commit ON transaction_log", on: database.location)
        _ = try connection.poll()
        XCTAssertNil(try connection.load(oid))
        let tid = try connection.commit()
        _ = try connection.poll()
        XCTAssertEqual(try connection.load(oid)?.tid, tid)
        // Had it landed, the retry would have been refused rather than written twice.
        connection.store(oid, [8], expecting: nil)
        XCTAssertThrowsError(try connection.commit()) { error in
            guard case StorageError.Code.conflict = error else { return XCTFail("\(error)") }
        }
        store.checkInvariants()
    }

    /// A server that refuses new sessions after the old ones were cut (as one restarting
    /// does): the open store's reconnections are lost connections, retryable; only opening
    /// a store says `cannotConnect`.
    func testAReconnectionTheServerRefusesIsALostConnectionAndRecoversWhenItAcceptsAgain() throws {
        let (database, store, connection) = try polledConnection()
        let name = PostgresTestServer.databaseName(database.location)
        let server = try PostgresTestServer.url()
        try PostgresTestServer.execute("ALTER DATABASE \(name) ALLOW_CONNECTIONS false", on: server)
        defer { try? PostgresTestServer.execute("ALTER DATABASE \(name) ALLOW_CONNECTIONS true", on: server) }
        try terminateSessions(of: database)

        // The first poll finds its session gone; the next ones cannot make a new one.
        XCTAssertThrowsError(try connection.poll()) { error in
            guard case StorageError.Code.connectionLost = error else { return XCTFail("\(error)") }
        }
        for attempt in [{ _ = try connection.poll() }, { _ = try store.connect() },
                        { _ = try store.lastTransaction() }] as [() throws -> Void] {
            XCTAssertThrowsError(try attempt()) { error in
                guard let error = error as? StorageError, error.code == .connectionLost, let failure = error.postgresFailure else {
                    return XCTFail("\(error)")
                }
                XCTAssertTrue(failure.message.hasPrefix("cannot reconnect: "), failure.message)
                XCTAssertFalse(failure.message.contains("\n"), failure.message)
                XCTAssertTrue(error.isRetryable)
            }
        }
        XCTAssertThrowsError(try PostgresObjectStore.open(database.location)) { error in
            guard case StorageError.Code.cannotConnect = error else { return XCTFail("\(error)") }
        }

        try PostgresTestServer.execute("ALTER DATABASE \(name) ALLOW_CONNECTIONS true", on: server)
        XCTAssertNotNil(try connection.poll().changes, "the reconnecting poll lists the changes since the last good one")
        XCTAssertGreaterThanOrEqual(try store.lastTransaction(), .zero)
        connection.checkInvariants()
    }
}
