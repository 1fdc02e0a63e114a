import Foundation
import ObjectStorage
import SQLiteStorage

extension Database {
    /// Gives the SQLite database in `directory` a new random identity, and returns it.
    ///
    /// Run it after restoring the database from a backup, while no process has it open: the
    /// restored database lost the transactions committed after the backup, and a new identity
    /// makes every cache file written before the restore discard itself (`docs/cache-files.md`).
    ///
    /// - Throws: `StorageError` for a database that is missing, foreign, newer or corrupt, or
    ///   `StorageError.Code.busy` while a process holds it.
    @discardableResult
    public static func renewIdentity(ofSQLiteDatabaseAt directory: URL,
                                     options: SQLiteStorageOptions = SQLiteStorageOptions()) throws -> DatabaseIdentity {
        try SQLiteObjectStore.renewIdentity(at: directory, options: options)
    }
}
