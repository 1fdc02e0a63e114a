import CacheCore
import Workload
import Foundation
import CacheFiles
import StateCache
import StateCacheThreaded
import TestSupport
import Synchronization
import StorageTestSupport
import XCTest

/// The whole stack — cache, checkpoints, cache files, views — over PostgreSQL.
final class PostgresDatabaseTests: XCTestCase {
    private var backend: StorageBackend?
    private var cacheDirectory: URL?

    override func tearDown() {
        backend?.remove()
        if let cacheDirectory { try? FileManager.default.removeItem(at: cacheDirectory) }
    }

    private func freshLocation(_ label: String = #function) throws -> StorageLocation {
        let made = try StorageBackend.make(.postgres, label: label)
        backend = made
        return .postgres(made.location)
    }

    /// A commit that fails because the server went away leaves nothing in the cache: the
    /// connection still loads the committed state.
    func testAFailedCommitLeavesNoStateInTheCache() throws {
        let location = try freshLocation()
        let db = try Database.open(location)
        defer { try? db.close() }
        let connection = try db.connect()
        defer { connection.close() }
        try connection.poll()
        let oid = try db.newOID()
        connection.store(oid, Array("committed".utf8), expecting: nil)
        let tid = try connection.commit()
        try connection.poll()
        XCTAssertEqual(try connection.load(oid)?.tid, tid)

        connection.store(oid, Array("lost".utf8), expecting: tid)
        guard case .postgres(let target, _) = location else { return XCTFail() }
        let box = UncheckedBox(connection)
        let error = try PostgresTestServer.killDuringCommit(on: target) { _ = try box.value.commit() }
        XCTAssertNotNil(error)
        connection.abort()
        try connection.poll() // reconnects
        let loaded = try XCTUnwrap(try connection.load(oid))
        XCTAssertEqual(loaded.state, Array("committed".utf8))
        XCTAssertEqual(loaded.tid, tid)
    }

    /// A restarted process starts warm from the cache files it wrote against PostgreSQL.
    func testARestartIsWarmFromCacheFiles() throws {
        let location = try freshLocation()
        let directory = ScratchFiles.uniqueURL("pgfiles")
        cacheDirectory = directory
        var options = DatabaseOptions()
        options.cacheLocalDir = directory
        options.cache.cacheLocalMB = 5
        let oids: [ObjectID]
        do {
            let db = try Database.open(location, options: options)
            let connection = try db.connect()
            try connection.poll()
            oids = try db.newOIDs(count: 400)
            for oid in oids { connection.store(oid, [UInt8](repeating: UInt8(truncatingIfNeeded: oid.rawValue), count: 300), expecting: nil) }
            try connection.commit()
            try connection.poll()
            for oid in oids { _ = try connection.load(oid) }
            connection.close()
            try db.close()
            XCTAssertGreaterThan(db.cacheFileSave?.entries ?? 0, 300)
        }
        let db = try Database.open(location, options: options)
        defer { try? db.close() }
        XCTAssertGreaterThan(db.cacheFileLoad?.entriesRestored ?? 0, 300)
        let connection = try db.connect()
        defer { connection.close() }
        try connection.poll()
        for oid in oids { XCTAssertEqual(try connection.load(oid)?.state.first, UInt8(truncatingIfNeeded: oid.rawValue)) }
        XCTAssertGreaterThanOrEqual(Double(connection.stats.hits) / Double(connection.stats.loads), 0.95)
    }

    /// Threads of one process over PostgreSQL: every cached load checked against the database.
    func testThreadsOverPostgresStressWithoutAWrongLoad() throws {
        let location = try freshLocation()
        let pool = try ConsistencyStress.prepare(database: location, objectCount: 200)
        var options = ConsistencyStress.Options()
        options.threads = 3
        options.seconds = 2
        options.cacheDeltaSizeLimit = 30
        options.pool = pool.map(\.rawValue)
        let report = try ConsistencyStress.run(database: location, options: options)
        XCTAssertEqual(report.mismatches, 0, "\(report.problems)")
        XCTAssertEqual(report.consistencyErrors, 0)
        XCTAssertGreaterThan(report.checkedLoads, 500)
        XCTAssertGreaterThan(report.views.hits, 0)
        XCTAssertEqual(try ConsistencyStress.counterSum(database: location, pool: options.pool), UInt64(report.increments))
    }

    /// Threads whose sessions are cut again and again while they read and commit: each
    /// reconnects at its next poll, every commit of unknown outcome is settled, and the counts
    /// are true — no wrong load, no lost update, no thread given up.
    func testAStressWhoseSessionsAreCutReconnectsEveryTimeAndLosesNothing() throws {
        let location = try freshLocation()
        guard case .postgres(let target, _) = location else { return XCTFail() }
        let server = try PostgresTestServer.url()
        let pool = try ConsistencyStress.prepare(database: location, objectCount: 200)
        var options = ConsistencyStress.Options()
        options.threads = 3
        options.seconds = 4
        options.pool = pool.map(\.rawValue)
        options.receipts = true
        let running = Atomic<Bool>(true)
        let ended = Locked(0)
        let cutterStopped = DispatchSemaphore(value: 0)
        let cutter = Thread {
            defer { cutterStopped.signal() }
            Thread.sleep(forTimeInterval: 0.5)
            while running.load(ordering: .acquiring) {
                let count = (try? PostgresTestServer.terminateSessions(of: target, from: server)) ?? 0
                ended.withLock { $0 += count }
                Thread.sleep(forTimeInterval: 0.4)
            }
        }
        cutter.start()
        let report = try ConsistencyStress.run(database: location, options: options)
        running.store(false, ordering: .releasing)
        // The counters are summed on a session of their own: the cutter must be done first, or
        // its last round may end that session too.
        cutterStopped.wait()
        XCTAssertEqual(report.failedThreads, 0, "\(report.problems)")
        XCTAssertEqual(report.mismatches, 0, "\(report.problems)")
        XCTAssertGreaterThan(ended.withLock { $0 }, 0)
        XCTAssertGreaterThan(report.lostConnections, 0, "the cuts reached the threads")
        XCTAssertGreaterThanOrEqual(report.reconnections, report.lostConnections - options.threads,
                                    "every lost connection but one per thread at the very end was reconnected")
        XCTAssertGreaterThan(report.increments, 0)
        XCTAssertEqual(try ConsistencyStress.counterSum(database: location, pool: options.pool), UInt64(report.increments),
                       "no lost update, none counted twice (\(report.unknownCommits) commits of unknown outcome)")
    }

    /// A server that cannot be reached before the run starts: one clear line and status 1, not
    /// a report of nothing.
    func testAStressThatCannotConnectAtTheStartSaysSo() throws {
        let target = "postgresql://postgres@/statecache?host=/nonexistent-statecache-socket-dir&port=1"
        let run = try ToolRun(BuiltTool.required("statecache"), ["stress", "--postgres", target, "--seconds", "1"], timeout: 60)
        XCTAssertEqual(run.status, 1)
        let lines = run.stderr.split(separator: "\n")
        XCTAssertEqual(lines.count, 1, run.stderr)
        XCTAssertTrue(run.stderr.hasPrefix("statecache stress: cannot start: cannot connect to PostgreSQL at \(target); PostgreSQL error: "),
                      run.stderr)
        XCTAssertEqual(run.stdout, "")
    }

    /// `statecache stress --postgres`: processes standing in for machines share one database.
    func testProcessesOverPostgresStressWithoutAWrongLoad() throws {
        let location = try freshLocation()
        guard case .postgres(let target, _) = location else { return XCTFail() }
        let run = try ToolRun(BuiltTool.required("statecache"),
                              ["stress", "--postgres", target, "--processes", "3", "--threads", "2", "--seconds", "3", "--json"])
        let summary = try JSONDecoder().decode(ConsistencyStress.Summary.self, from: run.output)
        XCTAssertEqual(run.status, 0)
        XCTAssertEqual(summary.failures, [])
        XCTAssertGreaterThan(summary.report.increments, 10)
    }

    /// `statecache demo --postgres`: fill, a cold and a warm process, the trace read back; a
    /// database that is not empty is refused.
    func testTheDemoRunsOnPostgresAndStartsWarm() throws {
        let location = try freshLocation()
        guard case .postgres(let target, _) = location else { return XCTFail() }
        let tool = try BuiltTool.required("statecache")
        let root = ScratchFiles.uniqueURL("pgdemo")
        cacheDirectory = root
        func demo() throws -> ToolRun {
            try ToolRun(tool, ["demo", "--postgres", target, "--quick", "--json", "--seconds", "1.5", "--objects", "3000",
                               "--dir", root.path])
        }
        let first = try demo()
        XCTAssertEqual(first.status, 0, first.stderr)
        let summary = try XCTUnwrap(try JSONSerialization.jsonObject(with: first.output) as? [String: Any])
        XCTAssertEqual(summary["objects"] as? Int, 3000)
        XCTAssertGreaterThan(summary["warmStartRatio"] as? Double ?? 0, 0.9, "the warm process starts from the cache files")
        XCTAssertGreaterThan(summary["traceLoads"] as? Int ?? 0, 0)
        XCTAssertFalse((summary["database"] as? String ?? "").isEmpty)

        try? FileManager.default.removeItem(at: root)
        let second = try demo()
        XCTAssertNotEqual(second.status, 0)
        XCTAssertTrue(second.stderr.contains("is not empty"), second.stderr)
    }
}
