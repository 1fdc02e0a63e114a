import Foundation
import Logging
import StorageTestSupport
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
            try? PostgresTestServer.execute("DROP DATABASE IF EXISTS \(name) WITH (FORCE)", on: server)
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
            guard let server = PostgresTestServer.configuredURL() else { return nil }
            let name = "client_\(label.filter { $0.isLetter || $0.isNumber }.lowercased())_\(UInt32.random(in: 0 ... .max))"
            try PostgresTestServer.execute("CREATE DATABASE \(name)", on: server)
            postgresDatabases.append((server, name))
            return .postgres(PostgresTestServer.url(server, database: name))
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
}
