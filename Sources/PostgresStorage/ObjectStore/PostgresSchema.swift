import StateVocabulary

/// The PostgreSQL schema of the object store, created or migrated on open.
///
/// ```sql
/// statecache_info (id = 0, application, schema_version, identity)   -- one row
/// object_state    (zoid int8 primary key, tid int8, state bytea)    -- index on tid
/// transaction_log (tid int8 primary key, object_count int)          -- one row per commit
/// statecache_oid_seq                                                -- OIDs, handed out in blocks
/// ```
///
/// History-free, like the SQLite store: one row per object, its current state. A deleted
/// object keeps its row with an empty state and the deleting TID (a tombstone), so a poll's
/// `tid > last` query sees deletions like any other change (RelStorage's PostgreSQL adapter
/// misses them). Opening serializes on an advisory lock, so processes starting together
/// against a new database create the schema once.
package enum PostgresSchema {
    /// The `application` value of our `statecache_info` row.
    static let application = "statecache-object-store"
    /// The version this build writes and reads.
    static let currentVersion: Int32 = 1
    /// The advisory lock class (the two-key form) of the store's own locks; object locks use
    /// the one-key form, a separate key space.
    package static let lockClass: Int32 = 0x5343_4C4B // "SCLK"
    /// Second key under ``lockClass``: the commit lock.
    package static let commitLockKey: Int32 = 0
    /// Second key under ``lockClass``: schema creation and migration.
    static let schemaLockKey: Int32 = 1

    /// Version 1.
    static let createVersion1 = """
        CREATE TABLE statecache_info (
            id int PRIMARY KEY CHECK (id = 0),
            application text NOT NULL,
            schema_version int NOT NULL,
            identity bytea NOT NULL CHECK (length(identity) = 16));
        CREATE TABLE object_state (
            zoid int8 PRIMARY KEY,
            tid int8 NOT NULL CHECK (tid > 0),
            state bytea NOT NULL);
        CREATE INDEX object_state_tid ON object_state (tid);
        CREATE TABLE transaction_log (
            tid int8 PRIMARY KEY,
            object_count int NOT NULL);
        CREATE SEQUENCE statecache_oid_seq MINVALUE 1 START 1;
        """

    /// Creates the schema in an empty database, checks it in one of ours, and returns the
    /// database identity. Runs in one transaction under the schema lock.
    ///
    /// - Throws: `StorageError.Code.foreignDatabase` when the database has tables
    ///   of these names that are not ours, `StorageError.Code.newerSchema`
    ///   when a newer build created it.
    static func prepare(_ handle: PostgresConnectionHandle, createIfMissing: Bool) throws(StorageError) -> DatabaseIdentity {
        try handle.execute("BEGIN")
        do throws(StorageError) {
            _ = try handle.query("SELECT pg_advisory_xact_lock(\(lockClass), \(schemaLockKey))")
            let tables = try handle.execute("""
                SELECT to_regclass('statecache_info') IS NOT NULL, to_regclass('object_state') IS NOT NULL,
                       to_regclass('transaction_log') IS NOT NULL
                """)
            let hasInfo = tables.text(0, 0) == "t"
            let hasObjects = tables.text(0, 1) == "t", hasLog = tables.text(0, 2) == "t"
            let identity: DatabaseIdentity
            if !hasInfo {
                if hasObjects || hasLog {
                    throw .foreignDatabase(path: handle.location, detail: "it has an object_state or transaction_log table "
                                           + "but no statecache_info (another application's schema, RelStorage's?)")
                }
                guard createIfMissing else { throw .notFound(path: handle.location) }
                try handle.execute(createVersion1)
                identity = DatabaseIdentity.random()
                _ = try handle.query("INSERT INTO statecache_info (id, application, schema_version, identity) VALUES "
                                     + "(0, '\(application)', \(currentVersion), $1)", [.bytea(identity.bytes)])
            } else {
                identity = try check(handle)
            }
            // OIDs stored by other means (the root object, an import) must never be handed out.
            try handle.execute("""
                SELECT setval('statecache_oid_seq', m) FROM (SELECT max(zoid) AS m FROM object_state) AS stored
                WHERE m >= (SELECT last_value FROM statecache_oid_seq)
                """)
            try handle.execute("COMMIT")
            return identity
        } catch {
            handle.rollbackQuietly()
            throw error
        }
    }

    /// Reads our `statecache_info` row and checks its application and version.
    private static func check(_ handle: PostgresConnectionHandle) throws(StorageError) -> DatabaseIdentity {
        let row = try handle.query("SELECT application, schema_version::int8, identity FROM statecache_info WHERE id = 0")
        guard row.rowCount == 1, let application = row.bytes(0, 0).map({ String(decoding: $0, as: UTF8.self) }) else {
            throw .foreignDatabase(path: handle.location, detail: "statecache_info has no row 0")
        }
        guard application == Self.application else {
            throw .foreignDatabase(path: handle.location, detail: "statecache_info belongs to \"\(application)\"")
        }
        let version = Int32(truncatingIfNeeded: try row.int64(0, 1) ?? 0)
        if version > currentVersion {
            throw .newerSchema(path: handle.location, found: version, supported: currentVersion)
        }
        guard let identity = row.bytes(0, 2).flatMap(DatabaseIdentity.init(bytes:)) else {
            throw .foreignDatabase(path: handle.location, detail: "statecache_info has no 16-byte identity")
        }
        return identity
    }
}
