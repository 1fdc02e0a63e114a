import Foundation

// The storage errors only SQLite raises, each carrying SQLite's own report (``SQLiteFailure``)
// as the error's backend detail.
extension StorageError {
    /// SQLite's report, when the error came from SQLite.
    public var sqliteFailure: SQLiteFailure? { backendDetail as? SQLiteFailure }

    /// The database stayed locked past the busy `timeout`.
    package static func busy(_ failure: SQLiteFailure, timeout: Duration) -> StorageError {
        StorageError(.busy, "database is locked: gave up after the busy timeout (\(timeout))", backendDetail: failure)
    }

    /// The file at `path` is not a SQLite database.
    package static func notADatabase(path: String, _ failure: SQLiteFailure) -> StorageError {
        StorageError(.notADatabase, "\(path) is not a SQLite database", location: path, backendDetail: failure)
    }

    /// SQLite found the file at `path` damaged.
    package static func corrupt(path: String, _ failure: SQLiteFailure) -> StorageError {
        StorageError(.corrupt, "\(path) is corrupt", location: path, backendDetail: failure)
    }

    /// SQLite could not open the file at `path`.
    package static func cannotOpen(path: String, _ failure: SQLiteFailure) -> StorageError {
        StorageError(.cannotOpen, "cannot open \(path)", location: path, backendDetail: failure)
    }

    /// A write on a store opened read-only (no failure), or SQLite refused to write.
    package static func readOnly(path: String, _ failure: SQLiteFailure?) -> StorageError {
        StorageError(.readOnly, "\(path) is read-only", location: path, backendDetail: failure)
    }

    /// Any other SQLite failure.
    package static func sqlite(_ failure: SQLiteFailure) -> StorageError {
        StorageError(.backendFailure, "", backendDetail: failure)
    }

    /// The database directory `path` cannot be written.
    package static func directoryNotWritable(path: String) -> StorageError {
        StorageError(.directoryNotWritable, "the database directory \(path) is not writable (SQLite must create the "
                        + "database and its -wal and -shm files there)", location: path)
    }

    /// The OID database at `path` belongs to database `found`, not `expected`.
    package static func mismatchedOIDDatabase(path: String, expected: DatabaseIdentity, found: DatabaseIdentity) -> StorageError {
        StorageError(.mismatchedOIDDatabase, "\(path) belongs to database \(found), not \(expected) "
                        + "(after restoring from backups, run SQLiteObjectStore.renewIdentity)", location: path)
    }
}
