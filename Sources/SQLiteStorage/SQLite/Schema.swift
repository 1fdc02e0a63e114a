/// The tables of one kind of database file, and the migrations that build them.
///
/// A file is recognised by two header fields SQLite keeps for applications:
/// `PRAGMA application_id` (which application the file belongs to) and `PRAGMA user_version`
/// (which version of that application's schema it holds). ``prepare(_:readOnly:)`` reads both
/// before touching anything, so a file that is not ours is reported and left unchanged:
///
/// | file found                                   | result                                  |
/// |----------------------------------------------|-----------------------------------------|
/// | empty (new, or zero bytes)                   | created: every migration in order        |
/// | our id, version < current                    | migrated: the missing migrations         |
/// | our id, version = current, tables present    | used as is                               |
/// | our id, version > current                    | `StorageError.Code.newerSchema` |
/// | another id, or tables but no id              | `StorageError.Code.foreignDatabase` |
/// | not a SQLite file                            | `StorageError.Code.notADatabase`   |
struct Schema: Sendable {
    /// The file's role, for messages ("object database", "OID database").
    let name: String
    /// The `application_id` stamped into files of this kind.
    let applicationID: Int32
    /// The migrations, keyed by the version each one produces: `1…currentVersion`, no gaps.
    let migrations: [Int32: Migration]
    /// Tables a database at the current version must have.
    let requiredTables: [String]

    /// The newest version: the database version this build writes.
    var currentVersion: Int32 { migrations.keys.max() ?? 0 }

    /// Traps if the migration table has a gap or a migration under the wrong key.
    func checkInvariants() {
        for (version, migration) in migrations {
            precondition(version >= 1, "\(name) schema: migration to version \(version) (versions start at 1)")
            precondition(migration.version == version,
                         "\(name) schema: migration under key \(version) says version \(migration.version)")
        }
        // Keys are distinct and ≥ 1, so `count == max` means exactly 1…max: no gap.
        precondition(migrations.count == Int(currentVersion), "\(name) schema: a gap in the migration versions")
    }

    /// What the header and catalogue of a file say.
    struct Inspection: Equatable {
        var applicationID: Int32
        var userVersion: Int32
        var tables: Set<String>

        /// A file nobody has written a schema into yet.
        var isEmpty: Bool { applicationID == 0 && userVersion == 0 && tables.isEmpty }
    }

    /// Reads `application_id`, `user_version` and the table names. Reading is what makes
    /// SQLite look at the file, so a non-database fails here with `SQLITE_NOTADB`.
    func inspect(_ handle: SQLiteConnectionHandle) throws(StorageError) -> Inspection {
        let applicationID = try handle.int64("PRAGMA application_id") ?? 0
        let userVersion = try handle.int64("PRAGMA user_version") ?? 0
        let statement = try handle.prepare("SELECT name FROM sqlite_schema WHERE type = 'table'")
        var tables: Set<String> = []
        while try statement.step() { tables.insert(statement.text(at: 0)) }
        // Both header fields are 32-bit; truncating keeps a hostile value from trapping.
        return Inspection(applicationID: Int32(truncatingIfNeeded: applicationID),
                          userVersion: Int32(truncatingIfNeeded: userVersion), tables: tables)
    }

    /// Throws unless the file is ours and not newer than this build; returns the inspection.
    func check(_ found: Inspection, path: String) throws(StorageError) -> Inspection {
        if found.isEmpty { return found }
        if found.applicationID != applicationID {
            let id = found.applicationID == 0 ? "no application_id" : "application_id " + hex(found.applicationID)
            throw .foreignDatabase(path: path, detail: "\(id) (a StateCache \(name) has \(hex(applicationID))), "
                                   + "\(found.tables.count) table(s)")
        }
        if found.userVersion > currentVersion {
            throw .newerSchema(path: path, found: found.userVersion, supported: currentVersion)
        }
        if found.userVersion == currentVersion {
            let missing = requiredTables.filter { !found.tables.contains($0) }
            if !missing.isEmpty {
                throw .foreignDatabase(path: path, detail: "the \(name) has version \(found.userVersion) "
                                       + "but lacks table(s) \(missing.joined(separator: ", "))")
            }
        }
        return found
    }

    /// Makes the file at `handle` a current database of this kind: checks it, then creates or
    /// migrates it in one `BEGIN IMMEDIATE` transaction. Returns true when it ran migrations.
    ///
    /// Several processes may open a new database at once; the check is repeated inside the
    /// write transaction, so exactly one of them creates the tables and the others find them.
    @discardableResult
    func prepare(_ handle: SQLiteConnectionHandle, readOnly: Bool) throws(StorageError) -> Bool {
        let path = handle.context.path
        let outside = try check(inspect(handle), path: path)
        if outside.userVersion == currentVersion && !outside.isEmpty { return false }
        if readOnly {
            if outside.isEmpty {
                throw .foreignDatabase(path: path, detail: "an empty file: the \(name) was never created "
                                       + "(open without readOnly to create it)")
            }
            throw .readOnly(path: path, nil) // it needs a migration, which writes
        }
        try handle.execute("BEGIN IMMEDIATE")
        do throws(StorageError) {
            let inside = try check(inspect(handle), path: path)
            var version = inside.userVersion
            while version < currentVersion {
                version += 1
                guard let migration = migrations[version] else {
                    throw .invalidArgument("\(name) schema: no migration to version \(version)")
                }
                try migration.apply(handle)
            }
            try handle.execute("PRAGMA application_id = \(applicationID)")
            try handle.execute("PRAGMA user_version = \(currentVersion)")
            try handle.execute("COMMIT")
            return version != inside.userVersion
        } catch {
            handle.rollbackQuietly()
            throw error
        }
    }

    private func hex(_ value: Int32) -> String {
        "0x" + String(UInt32(bitPattern: value), radix: 16)
    }
}
