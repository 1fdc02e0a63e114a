import CacheCore
import Foundation

/// What a ``Database`` needs beyond its location: the cache's options, and what surrounds the
/// cache — its namespace, the directory of cache files, the trace file (RelStorage's names).
///
/// The storage's own options travel with the location (``StorageLocation/sqlite(directory:options:)``,
/// `StorageLocation.postgres(_:options:)`), and the cache's are one `CacheOptions` value,
/// ``cache``, rather than restated here.
public struct DatabaseOptions: Sendable {
    /// The cache: its size in megabytes of 10⁶ bytes (`cacheLocalMB`, RelStorage's
    /// `cache-local-mb`; 0 disables it), the largest state it keeps (`cacheLocalObjectMax`), how
    /// it stores states (`compression`), its admission window and shards.
    public var cache = CacheOptions()
    /// The `deltaAfter0` size at which the checkpoints shift (`cache-delta-size-limit`).
    public var cacheDeltaSizeLimit: Int = 100_000
    /// The cache namespace: the database directory's (or PostgreSQL database's) name by
    /// default, spaces replaced by `_`
    /// (`cache-prefix`).
    public var cachePrefix: String?
    /// The directory for persistent cache files and traces, shared by the processes of the
    /// machine (`cache-local-dir`; created if missing); nil: none. Each process writes its
    /// cache there at `Database/close()` and the next ones read it at open (`docs/cache-files.md`).
    public var cacheLocalDir: URL?
    /// How many cache files of this prefix the directory keeps (`cache-local-dir-count`); the
    /// ones with the oldest data go first. At least one (the newest) is always kept.
    public var cacheLocalDirCount: Int = 20
    /// How many cache files are read at open, newest first (`cache-local-dir-read-count`);
    /// nil reads until the cache is full or the files run out.
    public var cacheLocalDirReadCount: Int?
    /// The most bytes of entries one cache file holds (`cache-local-dir-write-max-size`; the
    /// least valuable entries are left out); nil: the cache's size, so a full cache fits.
    public var cacheLocalDirWriteMaxSize: Int?
    /// Whether cache files are LZ4-compressed (`cache-local-dir-compress`; RelStorage used
    /// gzip). Worth it on slow disks; payloads already compressed by `cache.compression` gain
    /// little.
    public var cacheLocalDirCompress = false
    /// A trace file to record cache events to; overrides `ZEO_CACHE_TRACE`.
    public var cacheTraceFile: URL?

    /// The defaults.
    public init() {}

    /// The prefix in force for a database at `directory`.
    package func prefix(for directory: URL) -> String {
        prefix(forDatabaseNamed: directory.standardizedFileURL.lastPathComponent)
    }

    /// The prefix in force for a database called `name` (a directory's or a PostgreSQL
    /// database's name).
    package func prefix(forDatabaseNamed name: String) -> String {
        if let cachePrefix, !cachePrefix.isEmpty { return cachePrefix }
        return name.replacingOccurrences(of: " ", with: "_").replacingOccurrences(of: "/", with: "_")
    }
}
