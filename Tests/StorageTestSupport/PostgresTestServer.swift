import Dispatch
import Foundation
import PostgresStorage
import StateVocabulary
import XCTest

/// The throwaway server of this test run.
package enum PostgresTestServer {
    /// `STATECACHE_POSTGRES`, set by `scripts/throwaway-postgres.sh run -- …`, or nil without a
    /// server (a failure when `STATECACHE_REQUIRE_POSTGRES` is set, as `make test` does).
    package static func configuredURL() -> String? {
        let environment = ProcessInfo.processInfo.environment
        if let url = environment["STATECACHE_POSTGRES"], !url.isEmpty { return url }
        if environment["STATECACHE_REQUIRE_POSTGRES"] != nil {
            XCTFail("STATECACHE_REQUIRE_POSTGRES is set but STATECACHE_POSTGRES is not: run through scripts/throwaway-postgres.sh")
        }
        return nil
    }

    /// ``configuredURL()``, or a skip of the calling test without a server.
    package static func url() throws -> String {
        guard let url = configuredURL() else {
            throw XCTSkip("no PostgreSQL server (run `scripts/throwaway-postgres.sh run -- swift test` or `make test`)")
        }
        return url
    }

    /// `server` (a `postgresql://…/db?…` URL) pointing at `database` instead.
    package static func url(_ server: String, database: String) -> String {
        guard let schemeEnd = server.range(of: "://") else { return server + " dbname=\(database)" }
        let rest = server[schemeEnd.upperBound...]
        let pathStart = rest.firstIndex(of: "/") ?? rest.firstIndex(of: "?") ?? rest.endIndex
        let query = rest[pathStart...].firstIndex(of: "?").map { String(rest[$0...]) } ?? ""
        return String(server[..<schemeEnd.upperBound]) + rest[..<pathStart] + "/" + database + query
    }

    /// The database name in a `postgresql://user@host/name?…` URL.
    package static func databaseName(_ location: String) -> String {
        let path = location.components(separatedBy: "://").last!.split(separator: "?", maxSplits: 1).first!
        return String(path.split(separator: "/").last!)
    }

    /// Ends every session of the database at `location` (as a server restart or a network cut
    /// would), from a session on the server's own database (`server`), which also works while
    /// the database refuses new sessions; returns how many it ended.
    @discardableResult
    package static func terminateSessions(of location: String, from server: String) throws -> Int {
        let handle = try PostgresConnectionHandle.connect(to: server, location: server, connectTimeout: .seconds(10))
        defer { handle.close() }
        return try handle.execute("""
            SELECT pid FROM (SELECT pid, pg_terminate_backend(pid) AS ended FROM pg_stat_activity
            WHERE datname = '\(databaseName(location))' AND pid <> pg_backend_pid()) AS sessions WHERE ended
            """).rowCount
    }

    /// Runs `sql` on a session of its own.
    package static func execute(_ sql: String, on target: String) throws {
        let handle = try PostgresConnectionHandle.connect(to: target, location: target, connectTimeout: .seconds(10))
        defer { handle.close() }
        try handle.execute(sql)
    }
}

extension PostgresTestServer {
    /// Runs `commit` while this test holds the commit lock, kills the committer's session as
    /// soon as it waits for the lock (mid-transaction: uploaded and object locks taken), and
    /// returns what `commit` threw.
    package static func killDuringCommit(on target: String, _ commit: @escaping @Sendable () throws -> Void) throws -> (any Error)? {
        let admin = try PostgresConnectionHandle.connect(to: target, location: target, connectTimeout: .seconds(10))
        defer { admin.close() }
        try admin.execute("SELECT pg_advisory_lock(\(PostgresSchema.lockClass), \(PostgresSchema.commitLockKey))")
        let outcome = Locked<(any Error)?>(nil)
        let finished = DispatchSemaphore(value: 0)
        Thread {
            do { try commit() } catch { outcome.withLock { $0 = error } }
            finished.signal()
        }.start()
        var killed = false
        for _ in 0..<500 where !killed {
            let waiting = try admin.execute("""
                SELECT pg_terminate_backend(pid) FROM pg_locks
                WHERE locktype = 'advisory' AND NOT granted AND classid = \(PostgresSchema.lockClass)::oid
                """)
            killed = waiting.rowCount > 0
            if !killed { usleep(10_000) }
        }
        try admin.execute("SELECT pg_advisory_unlock(\(PostgresSchema.lockClass), \(PostgresSchema.commitLockKey))")
        XCTAssertTrue(killed, "the commit never waited for the commit lock")
        finished.wait()
        return outcome.withLock { $0 }
    }
}
