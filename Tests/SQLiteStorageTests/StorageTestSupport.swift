import CacheCore
import Foundation
import XCTest
import TestSupport
@testable import SQLiteStorage

/// A test case with a database directory per test, in the test's scratch directory.
class StorageTestCase: ScratchDirectoryTestCase {
    /// The database directory (inside the scratch directory, not yet created).
    var databaseURL: URL { directory.appendingPathComponent("db") }

    /// Opens (creating) the test's database.
    func openStore(_ configure: (inout SQLiteStorageOptions) -> Void = { _ in }) throws -> SQLiteObjectStore {
        var options = SQLiteStorageOptions()
        configure(&options)
        return try SQLiteObjectStore.open(at: databaseURL, options: options)
    }

    /// Opens (creating) the test's database and `count` connections on it, runs `body` with
    /// them, and closes the connections, then the store, however `body` ends (also when a
    /// connection fails to open).
    func withConnections(_ count: Int, _ body: (SQLiteObjectStore, [SQLiteConnection]) throws -> Void) throws {
        let store = try openStore()
        var connections: [SQLiteConnection] = []
        defer {
            for connection in connections { connection.close() }
            store.close()
        }
        for _ in 0..<count { connections.append(try store.connect()) }
        try body(store, connections)
    }

    /// Asserts that `body` throws a ``StorageError`` and returns it (nil, with a failure, otherwise).
    @discardableResult
    func storageError<T>(_ body: () throws -> T, file: StaticString = #filePath, line: UInt = #line) -> StorageError? {
        do {
            _ = try body()
            XCTFail("expected a StorageError, nothing was thrown", file: file, line: line)
        } catch let error as StorageError {
            return error
        } catch {
            XCTFail("expected a StorageError, got \(error)", file: file, line: line)
        }
        return nil
    }
}

/// Test states that say what they are: 8 bytes OID, 8 bytes version, then `padding` bytes.
enum TestState {
    static func make(_ oid: ObjectID, version: UInt64, padding: Int = 0) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(16 + padding)
        for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: oid.rawValue >> UInt64(shift))) }
        for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: version >> UInt64(shift))) }
        bytes.append(contentsOf: (0..<padding).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ Int(version)) })
        return bytes
    }

    /// The (oid, version) a state made by `make` encodes; nil for anything else.
    static func decode(_ bytes: [UInt8]) -> (oid: ObjectID, version: UInt64)? {
        guard bytes.count >= 16 else { return nil }
        let oid = bytes[0..<8].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        let version = bytes[8..<16].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        return (ObjectID(oid), version)
    }
}

/// Runs `body(0..<count)` on `count` threads at once and waits for all of them; rethrows the
/// first error.
func runOnThreads(_ count: Int, _ body: @escaping @Sendable (Int) throws -> Void) throws {
    let errors = Locked<[String]>([])
    let done = DispatchGroup()
    for index in 0..<count {
        done.enter()
        let thread = Thread {
            defer { done.leave() }
            do { try body(index) } catch { errors.withLock { $0.append("thread \(index): \(error)") } }
        }
        thread.stackSize = 1 << 20
        thread.start()
    }
    done.wait()
    let failures = errors.withLock { $0 }
    if !failures.isEmpty { throw TestFailure(failures.joined(separator: "\n")) }
}

/// An error thrown by test helpers.
struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
