import CacheCore
import Foundation
import StateCache
import StateCacheThreaded
import TestSupport
import XCTest
@testable import CacheFiles

/// What a user reads when the cache directory or a file in it cannot be used: one line that
/// names the path and says why — never Foundation's `NSCocoaErrorDomain Code=… UserInfo={…}`.
final class CacheDirectoryMessagesTests: CacheDirectoryTestCase {
    private func assertOneClearLine(_ text: String, naming path: String, saying words: String,
                                    file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertFalse(text.contains("\n"), text, file: file, line: line)
        XCTAssertFalse(text.contains("NSCocoaErrorDomain") || text.contains("UserInfo"), text, file: file, line: line)
        XCTAssertTrue(text.contains(path), "\(text) does not name \(path)", file: file, line: line)
        XCTAssertTrue(text.contains(words), "\(text) does not say \(words)", file: file, line: line)
    }

    private func openDatabase(cacheDirectory: URL) throws {
        var options = DatabaseOptions()
        options.cacheLocalDir = cacheDirectory
        let db = try Database.open(at: directory.appendingPathComponent("db"), options: options)
        try db.close()
    }

    func testACacheDirectoryThatIsAFileIsSaidSo() throws {
        let file = directory.appendingPathComponent("cache")
        try Data("not a directory".utf8).write(to: file)
        XCTAssertThrowsError(try openDatabase(cacheDirectory: file)) { error in
            XCTAssertEqual(error as? CacheDirectoryError, .notADirectory(path: file.path))
            assertOneClearLine("\(error)", naming: file.path, saying: "is not a directory")
        }
        // A file where a parent directory should be.
        let below = file.appendingPathComponent("sub")
        XCTAssertThrowsError(try openDatabase(cacheDirectory: below)) { error in
            guard case CacheDirectoryError.cannotCreate = error else { return XCTFail("\(error)") }
            assertOneClearLine("\(error)", naming: below.path, saying: "cannot be created: Not a directory")
        }
    }

    func testACacheDirectoryThatCannotBeCreatedSaysWhy() throws {
        // /proc refuses new directories, whoever asks.
        let impossible = URL(fileURLWithPath: "/proc/statecache-\(getpid())/cache")
        XCTAssertThrowsError(try openDatabase(cacheDirectory: impossible)) { error in
            guard case CacheDirectoryError.cannotCreate = error else { return XCTFail("\(error)") }
            assertOneClearLine("\(error)", naming: impossible.path, saying: "does not exist and cannot be created: ")
        }
        // A read-only file system or a directory without write permission: the system's
        // reason (the first cannot be made here; the second only when the tests do not run as
        // root, who writes anyway).
        XCTAssertEqual("\(CacheDirectoryError.cannotCreate(path: "/ro/cache", reason: String(cString: strerror(EROFS))))",
                       "the cache directory /ro/cache does not exist and cannot be created: Read-only file system")
        if geteuid() != 0 {
            let locked = directory.appendingPathComponent("locked")
            try FileManager.default.createDirectory(at: locked, withIntermediateDirectories: false,
                                                    attributes: [.posixPermissions: 0o555])
            defer { try? FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: locked.path) }
            XCTAssertThrowsError(try CacheDirectory.create(at: locked.appendingPathComponent("cache"))) { error in
                assertOneClearLine("\(error)", naming: locked.path, saying: "Permission denied")
            }
        }
    }

    func testWhatHasACacheFilesNameButCannotBeReadIsWarnedAboutOnceAndLeftAlone() throws {
        let valid = try XCTUnwrap(try cacheDirectory.save(Fixture.entries(count: 5), identity: Fixture.identity,
                                                          reachability: Fixture.everything(),
                                                          options: .init(maximumBytes: 1 << 20)).file)
        let folder = directory.appendingPathComponent(CacheFile.fileName(prefix: "main", processID: 11, random: 11))
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: false)
        let pipe = directory.appendingPathComponent(CacheFile.fileName(prefix: "main", processID: 12, random: 12))
        XCTAssertEqual(mkfifo(pipe.path, 0o644), 0)
        let loop = directory.appendingPathComponent(CacheFile.fileName(prefix: "main", processID: 13, random: 13))
        try FileManager.default.createSymbolicLink(atPath: loop.path, withDestinationPath: loop.lastPathComponent)

        for _ in 0..<2 {
            let report = Fixture.load(cacheDirectory, last: 5000)
            XCTAssertEqual(report.filesRead, [valid], "the valid file is still read (and a pipe does not block)")
            cacheDirectory.prune(identity: Fixture.identity, keepCount: 20)
        }
        let warnings = log.warnings
        XCTAssertEqual(warnings.count, 3, "one per path, however often the directory is read: \(warnings)")
        for (path, words) in [(folder.path, "not a file but a directory"), (pipe.path, "not a file but a named pipe"),
                              (loop.path, "Too many levels of symbolic links")] {
            let warning = warnings.first { $0.contains(path) } ?? "no warning about \(path)"
            assertOneClearLine(warning, naming: path, saying: words)
            XCTAssertTrue(warning.contains("left in place"), warning)
        }
        XCTAssertTrue(FileManager.default.fileExists(atPath: folder.path))
        XCTAssertNotNil(try? FileManager.default.destinationOfSymbolicLink(atPath: loop.path))
    }
}
