import CacheCore
import Foundation
import XCTest
@testable import SQLiteStorage

/// Directories the process cannot write.
///
/// Root may write any directory whatever its mode, so when the tests run as root (as in a
/// container) the checks run in a child process that `setpriv` has made `nobody`.
final class StorageReadOnlyDirectoryTests: StorageTestCase {
    private static let variable = "STATECACHE_STORAGE_READONLY_DIRECTORIES"

    func testReadOnlyDirectoriesAreReportedClearly() throws {
        // A database, closed; and an empty directory. Both made read-only.
        let populated = directory.appendingPathComponent("populated")
        let store = try SQLiteObjectStore.open(at: populated)
        let connection = try store.connect()
        connection.store(.root, [1], expecting: nil)
        _ = try connection.commit()
        connection.close()
        store.close()
        let empty = directory.appendingPathComponent("empty")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        for directory in [populated, empty] {
            try FileManager.default.setAttributes([.posixPermissions: 0o555], ofItemAtPath: directory.path)
        }
        defer {
            for directory in [populated, empty] {
                try? FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: directory.path)
            }
        }
        let directories = populated.path + "\n" + empty.path

        if geteuid() != 0 {
            try Self.checkReadOnlyDirectories(directories)
            return
        }
        guard ChildTestProcess.setpriv != nil else {
            throw XCTSkip("running as root without setpriv: cannot take away the right to write")
        }
        let child = try ChildTestProcess(
            test: "SQLiteStorageTests.StorageReadOnlyDirectoryTests/testReadOnlyDirectoryWorker",
            environment: [Self.variable: directories], output: directory.appendingPathComponent("child.log"),
            user: (uid: 65534, gid: 65534))
        XCTAssertTrue(child.wait(until: .now + .seconds(60)), "the child did not finish")
        XCTAssertTrue(child.succeeded, "the unprivileged child failed:\n\(child.outputTail())")
        XCTAssertTrue(child.outputTail(100_000).contains("Executed 1 test"), "the worker did not run:\n\(child.outputTail())")
    }

    /// The checks, run by an unprivileged process; a no-op without the variable.
    func testReadOnlyDirectoryWorker() throws {
        guard let directories = ProcessInfo.processInfo.environment[Self.variable] else { return }
        XCTAssertNotEqual(geteuid(), 0, "the worker must not run as root")
        try Self.checkReadOnlyDirectories(directories)
    }

    private static func checkReadOnlyDirectories(_ directories: String) throws {
        let paths = directories.split(separator: "\n").map(String.init)
        let populated = URL(fileURLWithPath: paths[0]), empty = URL(fileURLWithPath: paths[1])
        func error(_ body: () throws -> SQLiteObjectStore) -> StorageError? {
            do {
                let store = try body()
                store.close()
                return nil
            } catch let error as StorageError {
                return error
            } catch {
                return .invalidArgument("not a StorageError: \(error)")
            }
        }
        // Cannot create a database directory inside, nor a database in it, nor write the
        // existing database (even reading it needs its -wal and -shm files).
        let inside = empty.appendingPathComponent("db")
        XCTAssertEqual(error { try SQLiteObjectStore.open(at: inside) }, .directoryNotWritable(path: inside.path))
        XCTAssertEqual(error { try SQLiteObjectStore.open(at: empty) }, .directoryNotWritable(path: empty.path))
        XCTAssertEqual(error { try SQLiteObjectStore.open(at: populated) }, .directoryNotWritable(path: populated.path))
        var readOnly = SQLiteStorageOptions()
        readOnly.readOnly = true
        XCTAssertEqual(error { try SQLiteObjectStore.open(at: populated, options: readOnly) },
                       .directoryNotWritable(path: populated.path))
        XCTAssertFalse(FileManager.default.fileExists(atPath: inside.path))
    }
}
