import CacheCore
import Foundation
#if PostgreSQL
import PostgresStorage
#endif
import SQLiteStorage

/// Everything `Database/open(at:options:)` needs: the cache's options (with RelStorage's
/// names) and the storage's.
public struct DatabaseOptions: Sendable {
    /// The cache's size in megabytes of 10⁶ bytes (RelStorage `cache-local-mb`; 0 disables it).
    public var cacheLocalMB: Double = 10
    /// States whose stored size is this many bytes or more are not cached
    /// (`cache-local-object-max`).
    public var cacheLocalObjectMax: Int = 16_384
    /// How cached states are stored (`cache-local-compression`: `none`, `lz4`, `zlib`).
    public var cacheLocalCompression: StateCompression = .none
    /// The `deltaAfter0` size at which the checkpoints shift (`cache-delta-size-limit`).
    public var cacheDeltaSizeLimit: Int = 100_000
    /// The cache namespace: the database directory's (or PostgreSQL database's) name by
    /// default, spaces replaced by `_`
    /// (`cache-prefix`).
    public var cachePrefix: String?
    /// The directory for persistent cache files and traces, shared by the processes of the
    /// machine (`cache-local-dir`; created if missing); nil: none. Each process writes its
    /// cache there at `Database/close()` and the next ones read it at open (README,
    /// "Persistent cache files").
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
    /// gzip). Worth it on slow disks; payloads already compressed by
    /// `cacheLocalCompression` gain little.
    public var cacheLocalDirCompress = false
    /// A trace file to record cache events to; overrides `ZEO_CACHE_TRACE`.
    public var cacheTraceFile: URL?
    /// The admission window's initial share of the cache.
    public var cacheWindowFraction: Double = 0.01
    /// How the window adapts.
    public var cacheWindowAdaptation: WindowAdaptation = .miniSimulation
    /// The cache's shard count (nil: chosen from the size).
    public var cacheShardCount: Int?
    /// The SQLite storage's options (busy timeout, page size, …).
    public var storage = SQLiteStorageOptions()
    #if PostgreSQL
    /// The PostgreSQL storage's options (timeouts, OID block size).
    public var postgres = PostgresStorageOptions()
    #endif

    /// The defaults.
    public init() {}

    /// The cache options these settings describe.
    public var cacheOptions: CacheOptions {
        var options = CacheOptions()
        options.cacheLocalMB = cacheLocalMB
        options.cacheLocalObjectMax = cacheLocalObjectMax
        options.compression = cacheLocalCompression
        options.windowFraction = cacheWindowFraction
        options.windowAdaptation = cacheWindowAdaptation
        options.shardCount = cacheShardCount
        return options
    }

    /// The prefix in force for a database at `directory`.
    public func prefix(for directory: URL) -> String {
        prefix(forDatabaseNamed: directory.standardizedFileURL.lastPathComponent)
    }

    /// The prefix in force for a database called `name` (a directory's or a PostgreSQL
    /// database's name).
    public func prefix(forDatabaseNamed name: String) -> String {
        if let cachePrefix, !cachePrefix.isEmpty { return cachePrefix }
        return name.replacingOccurrences(of: " ", with: "_").replacingOccurrences(of: "/", with: "_")
    }
}
