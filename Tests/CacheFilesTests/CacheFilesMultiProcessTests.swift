import Workload
import CacheCore
import CacheFiles
import Foundation
import StateCache
import StateCacheThreaded
import XCTest
import TestSupport

/// Real processes sharing one cache directory: many closing at the same instant, and writers
/// killed at random points of a save. (Not run under ThreadSanitizer: child processes.)
final class CacheFilesMultiProcessTests: ScratchDirectoryTestCase {
    var database: URL { directory.appendingPathComponent("db") }
    var cacheDir: URL { directory.appendingPathComponent("cache") }

    override func setUpWithError() throws {
        guard WorkerProcess.tool != nil else { throw XCTSkip("build the statecache-test-worker executable first (swift build)") }
        try super.setUpWithError()
        try ConsistencyStress.prepare(databaseAt: database, objectCount: 400)
    }

    /// Every complete cache file in the directory, each checked whole.
    func completeFiles() -> [CacheFileSummary] {
        CacheFileInspector.cacheFiles(in: cacheDir).map(CacheFileInspector.summary(of:)).filter { !$0.isTemporary }
    }

    /// Opens the database with the directory in this process and checks every load of a
    /// short workload against SQLite; returns what the open restored.
    func openAndVerify() throws -> CacheFileLoadReport {
        var options = DatabaseOptions()
        options.cacheLocalDir = cacheDir
        options.cache.cacheLocalMB = 1
        let db = try Database.open(at: database, options: options)
        let report = try XCTUnwrap(db.cacheFileLoad)
        let connection = try db.connect()
        try connection.poll()
        let objects = Set(try db.store.listChanges(after: .zero, through: try db.store.lastTransaction()).map(\.oid)).sorted()
        var mismatches = 0
        for oid in objects {
            let cached = try connection.load(oid)
            let direct = try connection.storage.load(oid)
            if cached?.state != direct?.state || cached?.tid != direct?.tid { mismatches += 1 }
        }
        XCTAssertEqual(mismatches, 0)
        connection.close()
        try db.close()
        return report
    }

    func testProcessesClosingAtTheSameInstantAllWriteTheirFiles() throws {
        for (round, keep) in [(0, 20), (1, 3)] {
            let closeAt = Date().timeIntervalSince1970 + 1.5
            let workers = try (0..<4).map { index in
                try WorkerProcess(arguments: ["--db", database.path, "--cache-dir", cacheDir.path, "--close-at", String(closeAt),
                                              "--seed", String(round * 10 + index), "--keep", String(keep),
                                              "--loads", "1000"] + (index % 2 == 0 ? ["--lz4"] : []))
            }
            let statuses = workers.map { $0.finish() }
            XCTAssertEqual(statuses, [0, 0, 0, 0], "round \(round)")
            for worker in workers {
                XCTAssertEqual(worker.output("ready")?["mismatches"] as? Int, 0)
                XCTAssertGreaterThan(worker.output("closed")?["written"] as? Int ?? 0, 0, "every process wrote its file")
            }
            if round == 1 {
                XCTAssertGreaterThan(workers.map { $0.output("ready")?["restored"] as? Int ?? 0 }.reduce(0, +), 0,
                                     "the second round starts warm from the first round's files")
            }
            let files = completeFiles()
            XCTAssertEqual(files.count, round == 0 ? 4 : 3, "round \(round): \(files.map(\.url.lastPathComponent))")
            XCTAssertTrue(files.allSatisfy { $0.problem == nil }, "\(files.compactMap(\.problem))")
            let report = try openAndVerify()
            XCTAssertTrue(report.rejected.isEmpty)
            XCTAssertGreaterThan(report.entriesRestored, 0)
        }
    }

    /// Kills a worker with SIGKILL at a random moment of its save loop, `runs` times; after
    /// each, every complete file must be whole, and the next open must restore without
    /// rejecting anything and serve only what SQLite holds.
    func killedWriters(runs: Int) throws {
        var generator = SplitMix64(seed: UInt64(Date().timeIntervalSince1970))
        var leftovers = 0
        for run in 0..<runs {
            let worker = try WorkerProcess(arguments: ["--db", database.path, "--cache-dir", cacheDir.path, "--mode", "save-loop",
                                                       "--seed", String(run), "--loads", "300", "--keep", "4"]
                                                      + (run % 2 == 0 ? ["--lz4"] : []))
            XCTAssertTrue(worker.waitForLine(containing: "saving", seconds: 60), "run \(run): the worker never started saving")
            Thread.sleep(forTimeInterval: Double(generator.next() % 120) / 1000)
            worker.kill()
            XCTAssertEqual(worker.process.terminationReason, .uncaughtSignal)
            if CacheFileInspector.cacheFiles(in: cacheDir).contains(where: { $0.lastPathComponent.hasSuffix(".tmp") }) {
                leftovers += 1
            }
            let files = completeFiles()
            XCTAssertTrue(files.allSatisfy { $0.problem == nil },
                          "run \(run): \(files.filter { $0.problem != nil }.map { "\($0.url.lastPathComponent): \($0.problem!)" })")
            let report = try openAndVerify()
            XCTAssertTrue(report.rejected.isEmpty, "run \(run): \(report.rejected.map(\.problem))")
        }
        print("killed \(runs) writers; \(leftovers) left a temporary file behind (killed mid-write)")
        XCTAssertFalse(CacheFileInspector.cacheFiles(in: cacheDir).contains { $0.lastPathComponent.hasSuffix(".tmp") },
                       "the last open pruned the dead writers' temporary files")
    }

    func testWritersKilledDuringASaveNeverLeaveABrokenFile() throws {
        // STATECACHE_CRASH_RUNS=60 for the long variant.
        let runs = Int(ProcessInfo.processInfo.environment["STATECACHE_CRASH_RUNS"] ?? "") ?? 4
        try killedWriters(runs: runs)
    }
}
