import CacheCore
import CacheFiles
import Foundation
import StateCache
import StateCacheThreaded
import XCTest
import TestSupport

/// The point of cache files: a restarted process starts warm — and never serves what changed
/// while it was down.
final class WarmRestartTests: ScratchDirectoryTestCase {
    func options(cacheDir: Bool = true, deltaLimit: Int = 1000) -> DatabaseOptions {
        var options = DatabaseOptions()
        options.cache.cacheLocalMB = 0.8              // about 1,200 of the 4,000 objects
        options.cacheDeltaSizeLimit = deltaLimit
        if cacheDir { options.cacheLocalDir = directory.appendingPathComponent("cache") }
        return options
    }

    func testARestartedProcessStartsWarmAndIsNeverStale() throws {
        let workload = try DatabaseWorkload.create(at: directory.appendingPathComponent("db"), count: 4000)
        // Before: 40,000 loads with a commit every 100; the steady hit rate is that of the second half.
        let before = try Database.open(at: workload.directory, options: options())
        XCTAssertEqual(before.cacheFileLoad?.entriesRestored, 0)
        let first = try workload.run(before, loads: 40_000, seed: 7, writeEvery: 100, version: 1)
        let steady = first.hitRate(20_000..<40_000)
        try before.close()
        let saved = try XCTUnwrap(before.cacheFileSave)
        XCTAssertGreaterThan(saved.entries, 1000)

        // While it is down, 150 objects change: the 30 most popular and 120 others.
        var generator = SplitMix64(seed: 99)
        let changed = Array(workload.objects.prefix(30))
            + (0..<120).map { _ in workload.objects[30 + Int(generator.next() % UInt64(workload.objects.count - 30))] }
        try workload.change(changed, version: 7)

        // After: a new Database (a new process in the demo) runs the same workload.
        let after = try Database.open(at: workload.directory, options: options())
        let restored = try XCTUnwrap(after.cacheFileLoad)
        XCTAssertGreaterThan(restored.entriesRestored, 1000)
        XCTAssertTrue(restored.rejected.isEmpty)
        let second = try workload.run(after, loads: 4_000, seed: 7, writeEvery: 100, version: 2)
        let warmStart = second.hitRate(0..<4_000)     // the first 10% of a 40,000-load run
        try after.close()

        // A cold process on the same workload, for comparison.
        let cold = try Database.open(at: workload.directory, options: options(cacheDir: false))
        let coldRun = try workload.run(cold, loads: 4_000, seed: 7, version: 3)
        try cold.close()

        XCTAssertEqual(first.mismatches, 0, "\(first.problems)")
        XCTAssertEqual(second.mismatches, 0, "\(second.problems)")
        XCTAssertEqual(coldRun.mismatches, 0, "\(coldRun.problems)")
        XCTAssertGreaterThanOrEqual(warmStart, 0.95 * steady,
                                    "warm start \(warmStart) against steady \(steady) (cold start: \(coldRun.hitRate(0..<4_000)))")
        XCTAssertGreaterThan(warmStart, coldRun.hitRate(0..<4_000) + 0.1, "the files must make a difference")
        print("warm restart: steady \(steady), first 10% after restart \(warmStart), cold first 10% \(coldRun.hitRate(0..<4_000)), "
              + "restored \(restored.entriesRestored) entries in \(restored.seconds) s")
    }

    /// The cache-file reports are not public API: an operator learns what a restart restored
    /// and what a close wrote from the log, at `info`, with the counts.
    func testWhatARestoreReadAndASaveWroteIsLoggedAtInfo() throws {
        let workload = try DatabaseWorkload.create(at: directory.appendingPathComponent("db"), count: 600)
        let first = LogCapture()
        let before = try Database.open(at: workload.directory, options: options(), logger: first.logger)
        _ = try workload.run(before, loads: 3_000, seed: 3, version: 1)
        try before.close()
        let saved = try XCTUnwrap(before.cacheFileSave)
        let wrote = try XCTUnwrap(first.messages(at: .info).first { $0.message == "wrote cache file" })
        XCTAssertEqual(wrote.metadata["entries"], "\(saved.entries)")
        XCTAssertEqual(wrote.metadata["file"], "\(saved.file?.lastPathComponent ?? "")")
        XCTAssertNotNil(wrote.metadata["seconds"])
        XCTAssertEqual(wrote.metadata["statecache.prefix"], "\(before.prefix)", "the log names the database")

        let second = LogCapture()
        let after = try Database.open(at: workload.directory, options: options(), logger: second.logger)
        let restored = try XCTUnwrap(after.cacheFileLoad)
        try after.close()
        let read = try XCTUnwrap(second.messages(at: .info).first { $0.message == "read cache files" })
        XCTAssertGreaterThan(restored.entriesRestored, 0)
        XCTAssertEqual(read.metadata["restored"], "\(restored.entriesRestored)")
        XCTAssertEqual(read.metadata["files"], "1")
        XCTAssertEqual(read.metadata["rejected"], "0")
    }

    func testRestartsAcrossCheckpointShiftsNeverServeAStaleState() throws {
        // Tiny delta limit: every run shifts checkpoints several times; between runs other
        // processes change objects. Five restarts, every load checked.
        let workload = try DatabaseWorkload.create(at: directory.appendingPathComponent("db"), count: 600)
        var generator = SplitMix64(seed: 5)
        var restoredTotal = 0
        var hitsAfterRestart = 0
        var coldHits = 0
        for cycle in 0..<5 {
            let db = try Database.open(at: workload.directory, options: options(deltaLimit: 15))
            restoredTotal += db.cacheFileLoad?.entriesRestored ?? 0
            let run = try workload.run(db, loads: 1500, seed: UInt64(cycle), exponent: 0.8, writeEvery: 7, version: 10 + cycle)
            XCTAssertEqual(run.mismatches, 0, "cycle \(cycle): \(run.problems)")
            XCTAssertGreaterThan(db.coordinator.shiftCount, 1, "cycle \(cycle) must shift checkpoints")
            let early = run.hits.prefix(100).filter { $0 }.count
            if cycle == 0 { coldHits = early } else { hitsAfterRestart += early }
            try db.close()
            // Few enough that the first poll after the restart does not restart the checkpoints
            // (at twice the limit nothing restored would stay reachable, and nothing is read).
            let changed = (0..<8).map { _ in workload.objects[Int(generator.next() % 600)] }
            try workload.change(Array(Set(changed)), version: 1000 + cycle)
        }
        XCTAssertGreaterThan(restoredTotal, 0)
        XCTAssertGreaterThan(Double(hitsAfterRestart) / 4, Double(coldHits),
                             "restored entries are hit after restarts (first 100 loads: \(coldHits) hits cold)")
    }
}
