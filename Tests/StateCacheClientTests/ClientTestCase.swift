import Foundation
import Logging
@testable import PostgresStorage
@testable import StateCache
import TestSupport
import XCTest

/// A client test: each test body runs once per backend — a fresh SQLite directory, then a
/// fresh database on the run's throwaway PostgreSQL server when there is one
/// (`STATECACHE_POSTGRES`; required under `make test`).
class ClientTestCase: ScratchDirectoryTestCase {
    enum Backend: String, CaseIterable { case sqlite, postgres }

    /// The locations made by ``location(_:)``, dropped after the test.
    private var postgresDatabases: [(server: String, name: String)] = []

    override func tearDown() {
        for (server, name) in postgresDatabases {
            try? Self.execute("DROP DATABASE IF EXISTS \(name) WITH (FORCE)", on: server)
        }
        postgresDatabases = []
        super.tearDown()
    }

    /// A fresh, empty database of `backend`, or nil for PostgreSQL without a server.
    func location(_ backend: Backend, label: String = "db") throws -> StorageLocation? {
        switch backend {
        case .sqlite:
            return .sqlite(directory: directory.appendingPathComponent(label))
        case .postgres:
            let environment = ProcessInfo.processInfo.environment
            guard let server = environment["STATECACHE_POSTGRES"], !server.isEmpty else {
                if environment["STATECACHE_REQUIRE_POSTGRES"] != nil {
                    XCTFail("STATECACHE_REQUIRE_POSTGRES is set but STATECACHE_POSTGRES is not")
                }
                return nil
            }
            let name = "client_\(label.filter { $0.isLetter || $0.isNumber }.lowercased())_\(UInt32.random(in: 0 ... .max))"
            try Self.execute("CREATE DATABASE \(name)", on: server)
            postgresDatabases.append((server, name))
            guard let schemeEnd = server.range(of: "://") else { return .postgres(server + " dbname=\(name)") }
            let rest = server[schemeEnd.upperBound...]
            let pathStart = rest.firstIndex(of: "/") ?? rest.firstIndex(of: "?") ?? rest.endIndex
            let query = rest[pathStart...].firstIndex(of: "?").map { String(rest[$0...]) } ?? ""
            return .postgres(String(server[..<schemeEnd.upperBound]) + rest[..<pathStart] + "/" + name + query)
        }
    }

    /// Runs `body` with a fresh location of each backend this run has.
    func forEachBackend(_ body: (Backend, StorageLocation) async throws -> Void) async throws {
        for backend in Backend.allCases {
            guard let location = try location(backend, label: backend.rawValue) else { continue }
            try await body(backend, location)
        }
    }

    /// Options with a small cache in the test's directory.
    func options(cacheMB: Double = 4) -> DatabaseOptions {
        var options = DatabaseOptions()
        options.cache.cacheLocalMB = cacheMB
        options.cacheLocalDir = directory.appendingPathComponent("cache")
        return options
    }

    /// A logger that drops everything (the tests that read logs make their own).
    static let quiet = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }

    private static func execute(_ sql: String, on server: String) throws {
        let handle = try PostgresConnectionHandle.connect(to: server, location: server, connectTimeout: .seconds(10))
        defer { handle.close() }
        try handle.execute(sql)
    }
}
