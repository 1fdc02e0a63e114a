import StateVocabulary
import Foundation

/// The two database files of an object store and their schemas.
///
/// **Object database** (`objects.sqlite3`), history-free — one row per object:
///
/// ```sql
/// database_info   (id = 0, identity BLOB(16), created_tid)       -- one row
/// transaction_log (tid INTEGER PRIMARY KEY, object_count)         -- every commit
/// object_state    (zoid INTEGER PRIMARY KEY, tid, state BLOB)     -- current state per OID
/// object_state_tid ON object_state (tid)                          -- "changed after x" = range scan
/// ```
///
/// `object_state` is clustered by OID (`zoid` is the rowid), so a load is one B-tree descent;
/// the index on `tid` also carries the rowid, so a change list is a range scan of the index
/// alone. `transaction_log` holds every TID ever committed: its last row is the last
/// transaction and it keeps TIDs unique even when a later commit rewrites every object.
///
/// **OID database** (`oids.sqlite3`), one row: the next OID to hand out and the identity of
/// the object database it belongs to. It is a separate file so that allocating OIDs takes its
/// lock, never the commit lock.
///
/// All tables are `STRICT`. OIDs and TIDs are stored as the `Int64` bit pattern of their
/// `UInt64` value.
extension Schema {
    /// `application_id` of an object database: "SCOS" (StateCache Object Store).
    static let objectsApplicationID: Int32 = 0x5343_4F53
    /// `application_id` of an OID database: "SCOI" (StateCache OIDs).
    static let oidsApplicationID: Int32 = 0x5343_4F49

    /// The object database. To change it, add a migration with the next version; never edit
    /// a released one.
    static let objects = Schema(
        name: "object database",
        applicationID: objectsApplicationID,
        migrations: [
            1: Migration(version: 1, summary: "objects, transactions, identity; seeded planner statistics") { handle throws(StorageError) in
                try handle.execute("""
                    CREATE TABLE database_info (
                        id INTEGER PRIMARY KEY CHECK (id = 0),
                        identity BLOB NOT NULL CHECK (length(identity) = 16),
                        created_tid INTEGER NOT NULL
                    ) STRICT;
                    CREATE TABLE transaction_log (
                        tid INTEGER PRIMARY KEY,
                        object_count INTEGER NOT NULL
                    ) STRICT;
                    CREATE TABLE object_state (
                        zoid INTEGER PRIMARY KEY,
                        tid INTEGER NOT NULL REFERENCES transaction_log (tid),
                        state BLOB NOT NULL
                    ) STRICT;
                    CREATE INDEX object_state_tid ON object_state (tid);
                    """)
                try seedPlannerStatistics(handle)
                let insert = try handle.prepare("INSERT INTO database_info (id, identity, created_tid) VALUES (0, ?, ?)")
                try insert.withBlob(DatabaseIdentity.random().bytes, at: 1) { () throws(StorageError) in
                    try insert.bind(TransactionID(secondsSince1970: Date().timeIntervalSince1970).rawValue, at: 2)
                    _ = try insert.step()
                }
            },
        ],
        requiredTables: ["database_info", "transaction_log", "object_state"]
    )

    /// The OID database. Its single row is written by ``OIDAllocator`` (it needs the object
    /// database's identity and highest OID), not by the migration.
    static let oids = Schema(
        name: "OID database",
        applicationID: oidsApplicationID,
        migrations: [
            1: Migration(version: 1, summary: "the OID allocator row") { handle throws(StorageError) in
                try handle.execute("""
                    CREATE TABLE oid_allocator (
                        id INTEGER PRIMARY KEY CHECK (id = 0),
                        next_oid INTEGER NOT NULL CHECK (next_oid >= 1),
                        database_identity BLOB NOT NULL CHECK (length(database_identity) = 16)
                    ) STRICT;
                    """)
            },
        ],
        requiredTables: ["oid_allocator"]
    )

    /// Writes `sqlite_stat1` rows describing a large database, so that the query planner of
    /// a new, empty database already knows that `tid` is selective and uses
    /// `object_state_tid` for change lists. Without statistics SQLite guesses; with
    /// statistics from an empty table it may prefer a full scan. `PRAGMA optimize` (run at
    /// close) replaces these rows with measured ones once the tables have grown.
    ///
    /// The figures: a million objects, about 2 objects per TID (commits are small), half a
    /// million transactions.
    private static func seedPlannerStatistics(_ handle: SQLiteConnectionHandle) throws(StorageError) {
        // A plain ANALYZE creates sqlite_stat1 (there is no CREATE for it); on empty tables it
        // writes nothing useful, so its rows are replaced.
        try handle.execute("""
            ANALYZE;
            DELETE FROM sqlite_stat1;
            INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES
                ('object_state', NULL, '1000000'),
                ('object_state', 'object_state_tid', '1000000 2'),
                ('transaction_log', NULL, '500000'),
                ('database_info', NULL, '1');
            """)
    }
}
