/// How ``SQLiteObjectStore/open(at:options:)`` opens (or creates) a database directory.
///
/// The defaults suit a database shared by a few processes on one machine: a 15-second busy
/// timeout (RelStorage's), 4 KiB pages, creation when missing, reads and writes.
public struct SQLiteStorageOptions: Sendable, Hashable {
    /// How long a statement waits for a lock held by another connection before failing with
    /// `StorageError.Code.busy`. Default 15 s.
    public var busyTimeout: Duration = .seconds(15)

    /// The page size of a new database, in bytes: a power of two from 512 to 65536. Only used
    /// when the database is created (SQLite fixes it then). Default 4096.
    public var pageSize: Int = 4096

    /// Create the directory and the databases when missing. Default true.
    public var createIfMissing = true

    /// Open for reading only: ``SQLiteConnection/commit()`` and
    /// ``SQLiteObjectStore/newOIDs(count:)`` fail with `StorageError.Code.readOnly`.
    /// In a directory it cannot write, a read-only store still needs the database's `-wal`
    /// and `-shm` files to exist (they do while another process has the database open).
    /// Default false.
    public var readOnly = false

    /// How many OIDs one allocation reserves in the OID database. A larger block means fewer
    /// writes to it; a process that exits leaves the rest of its block unused (OIDs are never
    /// reused). Default 100.
    public var oidBlockSize = 100

    /// The page cache of each SQLite connection, in KiB (`PRAGMA cache_size = -N`).
    /// Default 8192 (8 MiB).
    public var cacheSizeKiB = 8192

    /// How much of the object database each connection reads through a memory map, in MiB
    /// (`PRAGMA mmap_size`). Mapped pages come straight from the operating system's page cache
    /// — shared by every connection and process, no system call per page — which makes random
    /// loads of a database larger than `cacheSizeKiB` about 1.7 times as fast (`docs/storage-sqlite.md`).
    /// Set 0 on file systems where the file could fail under the mapping (network file
    /// systems): there an I/O error would arrive as a `SIGBUS` rather than as an error.
    /// Default 256.
    public var mmapSizeMiB = 256

    /// Run `PRAGMA quick_check` at open and refuse a damaged database with
    /// `StorageError.Code.corrupt`. It reads the whole file, so it is off by default;
    /// SQLite still reports damage it meets while working.
    public var verifyOnOpen = false

    /// The default options.
    public init() {}

    /// Throws `StorageError.Code.invalidArgument` for values SQLite would not accept.
    func validate() throws(StorageError) {
        guard pageSize >= 512, pageSize <= 65536, pageSize & (pageSize - 1) == 0 else {
            throw .invalidArgument("pageSize \(pageSize) is not a power of two between 512 and 65536")
        }
        guard oidBlockSize >= 1 else { throw .invalidArgument("oidBlockSize \(oidBlockSize) must be at least 1") }
        guard mmapSizeMiB >= 0, mmapSizeMiB <= 1 << 30 else {
            throw .invalidArgument("mmapSizeMiB \(mmapSizeMiB) must be between 0 and 2³⁰")
        }
        guard cacheSizeKiB >= 0 else { throw .invalidArgument("cacheSizeKiB \(cacheSizeKiB) must not be negative") }
        guard busyTimeout >= .zero else { throw .invalidArgument("busyTimeout \(busyTimeout) must not be negative") }
    }
}
