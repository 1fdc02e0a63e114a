import Foundation

/// Renewing the identity after a restore.
extension SQLiteObjectStore {
    /// Gives the database in `directory` a new random identity, and returns it.
    ///
    /// Run it after restoring the database from a backup, while no process has it open. A
    /// restored database has lost the transactions committed after the backup was taken, yet
    /// it would keep its identity — and caches filled before the restore hold facts about those
    /// lost transactions. A new identity makes every such cache discard itself (`docs/cache-files.md`).
    /// The OID allocator is unaffected (its counter never goes below the highest stored OID).
    ///
    /// It writes the identity into the object database, then into the OID database. If it is
    /// interrupted in between, opening reports `StorageError.Code.mismatchedOIDDatabase`;
    /// running it again repairs that.
    ///
    /// - Throws: the errors of ``open(at:options:)`` for files that are missing, foreign,
    ///   newer or corrupt; `StorageError.Code.busy` if a process holds the database.
    @discardableResult
    public static func renewIdentity(at directory: URL, options: SQLiteStorageOptions = .init()) throws(StorageError) -> DatabaseIdentity {
        try options.validate()
        let files = StorageDirectory(url: directory)
        try files.prepare(createIfMissing: false, readOnly: false)
        let identity = DatabaseIdentity.random()

        let objects = try SQLiteConnectionHandle.open(path: files.objectsPath, readOnly: false, create: false,
                                                      busyTimeout: options.busyTimeout)
        defer { objects.close() }
        try write(identity, into: objects, schema: .objects,
                  sql: "UPDATE database_info SET identity = ? WHERE id = 0")

        guard FileManager.default.fileExists(atPath: files.oidsPath) else { return identity }
        let oids = try SQLiteConnectionHandle.open(path: files.oidsPath, readOnly: false, create: false,
                                                   busyTimeout: options.busyTimeout)
        defer { oids.close() }
        try write(identity, into: oids, schema: .oids,
                  sql: "UPDATE oid_allocator SET database_identity = ? WHERE id = 0")
        return identity
    }

    /// Checks that `handle`'s file is a current database of `schema`, then runs `sql` with the
    /// identity bound to its one parameter, in a write transaction.
    private static func write(_ identity: DatabaseIdentity, into handle: SQLiteConnectionHandle, schema: Schema,
                              sql: String) throws(StorageError) {
        let found = try schema.check(schema.inspect(handle), path: handle.context.path)
        if found.isEmpty {
            throw .foreignDatabase(path: handle.context.path, detail: "an empty file: the \(schema.name) was never created")
        }
        try schema.prepare(handle, readOnly: false) // migrates an older version first
        try handle.execute("BEGIN IMMEDIATE")
        do throws(StorageError) {
            let update = try handle.prepare(sql)
            try update.withBlob(identity.bytes, at: 1) { () throws(StorageError) in _ = try update.step() }
            try handle.execute("COMMIT")
        } catch {
            handle.rollbackQuietly()
            throw error
        }
    }
}
