import Foundation
import ObjectStorage
import PostgresStorage
import SQLiteStorage
import TestSupport

/// One of the two storages, making a fresh, empty database per test: a SQLite directory under
/// the temporary directory, or a new database on the throwaway PostgreSQL server that
/// `scripts/throwaway-postgres.sh` started (`STATECACHE_POSTGRES`). Tests never touch a server
/// they were not given.
package final class StorageBackend {
    package enum Kind { case sqlite, postgres }

    package let kind: Kind
    /// Where the fresh database is: a directory path or a PostgreSQL URL.
    package let location: String
    private let cleanup: () -> Void

    private init(kind: Kind, location: String, cleanup: @escaping () -> Void) {
        self.kind = kind
        self.location = location
        self.cleanup = cleanup
    }

    /// A fresh database of `kind`; for PostgreSQL without a server, a skip (or a failure when
    /// `STATECACHE_REQUIRE_POSTGRES` is set, as `make test` does).
    package static func make(_ kind: Kind, label: String) throws -> StorageBackend {
        switch kind {
        case .sqlite:
            let directory = ScratchFiles.uniqueURL(label)
            return StorageBackend(kind: .sqlite, location: directory.path) {
                try? FileManager.default.removeItem(at: directory)
            }
        case .postgres:
            let server = try PostgresTestServer.url()
            let name = "t_\(label.lowercased().filter { $0.isLetter || $0.isNumber }.prefix(30))_\(UInt32.random(in: 0 ... .max))"
            try PostgresTestServer.execute("CREATE DATABASE \(name)", on: server)
            return StorageBackend(kind: .postgres, location: PostgresTestServer.url(server, database: name)) {
                try? PostgresTestServer.execute("DROP DATABASE IF EXISTS \(name) WITH (FORCE)", on: server)
            }
        }
    }

    /// Opens a store on the database (as a new process would).
    package func open() throws -> any ObjectStore {
        switch kind {
        case .sqlite: return try SQLiteObjectStore.open(at: URL(fileURLWithPath: location))
        case .postgres: return try PostgresObjectStore.open(location)
        }
    }

    /// Removes the database.
    package func remove() { cleanup() }
}
