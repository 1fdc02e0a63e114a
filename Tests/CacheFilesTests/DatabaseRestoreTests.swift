import SQLiteStorage
import CacheCore
import CacheFiles
import Foundation
import StateCache
import StateCacheThreaded
import XCTest
import TestSupport

/// A database restored from a backup or replaced under the cache directory is never served
/// from the cache files of its old life.
final class DatabaseRestoreTests: ScratchDirectoryTestCase {
    var workload: DatabaseWorkload!
    var cacheDir: URL { directory.appendingPathComponent("cache") }
    var backup: URL { directory.appendingPathComponent("backup") }

    override func setUpWithError() throws {
        try super.setUpWithError()
        workload = try DatabaseWorkload.create(at: directory.appendingPathComponent("db"), count: 500)
    }

    func options() -> DatabaseOptions {
        var options = DatabaseOptions()
        options.cache.cacheLocalMB = 2
        options.cacheLocalDir = cacheDir
        return options
    }

    /// Runs the workload (with commits) in a process that writes a cache file at close.
    @discardableResult
    func runAndClose(version: Int) throws -> CacheFileSaveReport {
        let db = try Database.open(at: workload.directory, options: options())
        let run = try workload.run(db, loads: 3000, seed: UInt64(version), writeEvery: 50, version: version)
        XCTAssertEqual(run.mismatches, 0, "\(run.problems)")
        try db.close()
        return try XCTUnwrap(db.cacheFileSave)
    }

    /// Copies the (closed) database's files, as a backup would.
    func takeBackup() throws {
        try? FileManager.default.removeItem(at: backup)
        try FileManager.default.copyItem(at: workload.directory, to: backup)
    }

    func restoreBackup() throws {
        try FileManager.default.removeItem(at: workload.directory)
        try FileManager.default.copyItem(at: backup, to: workload.directory)
    }

    /// Opens the database with the cache directory and checks every load of a workload
    /// against SQLite; returns what the open restored.
    func reopenAndVerify(version: Int) throws -> CacheFileLoadReport {
        let db = try Database.open(at: workload.directory, options: options())
        let report = try XCTUnwrap(db.cacheFileLoad)
        let run = try workload.run(db, loads: 3000, seed: UInt64(version), writeEvery: 50, version: version)
        XCTAssertEqual(run.mismatches, 0, "\(run.problems)")
        try db.close()
        return report
    }

    func testADatabaseRestoredToAnOlderStateIsNotServedNewerFiles() throws {
        let old = try runAndClose(version: 1)        // file 1: facts up to the backup
        try takeBackup()
        let new = try runAndClose(version: 2)        // file 2: facts after the backup (lost by the restore)
        try restoreBackup()
        let report = try reopenAndVerify(version: 3)
        XCTAssertEqual(report.rejected.map(\.file.lastPathComponent), [try XCTUnwrap(new.file).lastPathComponent])
        if case .newerThanDatabase = report.rejected.first?.problem {} else {
            XCTFail("expected newerThanDatabase, got \(String(describing: report.rejected.first?.problem))")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: try XCTUnwrap(new.file).path), "removed")
        // The file from before the backup holds facts of the history the restore kept.
        XCTAssertEqual(report.filesRead.map(\.lastPathComponent), [try XCTUnwrap(old.file).lastPathComponent])
        XCTAssertGreaterThan(report.entriesRestored, 0)
    }

    func testARenewedIdentityDiscardsEveryFile() throws {
        try runAndClose(version: 1)
        try takeBackup()
        try runAndClose(version: 2)
        try restoreBackup()
        try SQLiteObjectStore.renewIdentity(at: workload.directory)   // what the README says to do after a restore
        let report = try reopenAndVerify(version: 3)
        XCTAssertEqual(report.entriesRestored, 0)
        XCTAssertEqual(report.rejected.count, 2)
        XCTAssertTrue(report.rejected.allSatisfy {
            if case .foreignDatabase = $0.problem { return true } else { return false }
        })
    }

    func testAReplacedDatabaseIsNotServedTheOldOnesFiles() throws {
        try runAndClose(version: 1)
        // Another database at the same path, with the same OIDs but other states and TIDs
        // that are all newer than the old files' facts.
        try FileManager.default.removeItem(at: workload.directory)
        let replacement = try DatabaseWorkload.create(at: workload.directory, count: 500)
        XCTAssertEqual(replacement.objects, workload.objects, "the same OIDs: only the identity tells them apart")
        try replacement.change(replacement.objects, version: 55)
        let report = try reopenAndVerify(version: 4)
        XCTAssertEqual(report.entriesRestored, 0)
        XCTAssertEqual(report.rejected.count, 1)
        if case .foreignDatabase = report.rejected.first?.problem {} else {
            XCTFail("expected foreignDatabase, got \(String(describing: report.rejected.first?.problem))")
        }
    }
}
