import ObjectStorage
import CacheCore
import CacheFiles
import CacheTrace
import Foundation
import Logging
#if PostgreSQL
import PostgresStorage
#endif
import SQLiteStorage
import CacheViews

/// A database and its process-wide cache: open one per process, connect once per thread (or
/// lease connections from a `StateCacheClient`).
///
/// ```swift
/// var options = DatabaseOptions()
/// options.cache.cacheLocalMB = 100
/// let db = try Database.open(at: directoryURL, options: options)
/// let conn = try db.connect()
/// try conn.poll()
/// let oid = try db.newOID()
/// conn.store(oid, Array("hello".utf8), expecting: nil)
/// let tid = try conn.commit()
/// try conn.poll()
/// let loaded = try conn.load(oid)          // ObjectState?
/// conn.close(); try db.close()
/// ```
///
/// The storage is SQLite (``open(at:options:logger:)``, one machine) or PostgreSQL
/// (``open(_:options:logger:)`` with a `postgresql://` URL, many machines); everything above it is
/// the same. The database owns the object store, the `SharedStateCache` every connection shares,
/// the process's checkpoints (`CheckpointCoordinator`) and the trace writer, if tracing is on.
///
/// With `DatabaseOptions/cacheLocalDir` set, opening restores the cache from the newest
/// cache files of the directory (and starts the checkpoints where they were written), and
/// closing writes this process's cache there — a restarted process starts warm. Both are
/// logged at `info` with their counts (docs/cache-files.md).
public final class Database: Sendable {
    /// The storage: a `SQLiteObjectStore` or a `PostgresObjectStore`.
    package let store: any ObjectStore
    /// The shared state cache.
    package let cache: SharedStateCache
    /// The process's checkpoints.
    package let coordinator: CheckpointCoordinator
    /// The trace writer, when tracing is on (`ZEO_CACHE_TRACE` with a cache directory, or
    /// `DatabaseOptions/cacheTraceFile`).
    package let tracer: TraceWriter?
    /// The options the database was opened with.
    public let options: DatabaseOptions
    /// The cache namespace.
    package let prefix: String
    /// What opening restored from cache files (nil without a cache directory or cache).
    package let cacheFileLoad: CacheFileLoadReport?
    /// What `close()` wrote to the cache directory, once closed (nil when nothing was written).
    package var cacheFileSave: CacheFileSaveReport? { lifecycle.withLock { $0.save } }
    /// Where the database logs: cache files skipped or not saved (warning), what was restored
    /// and saved (info, with the counts). Metadata `statecache.prefix` names the database.
    public let logger: Logger
    private let lifecycle = Locked(Lifecycle())

    private struct Lifecycle {
        var closed = false
        var openConnections = 0
        var save: CacheFileSaveReport?
    }

    private init(store: any ObjectStore, options: DatabaseOptions, cache: SharedStateCache,
                 coordinator: CheckpointCoordinator, tracer: TraceWriter?, prefix: String,
                 cacheFileLoad: CacheFileLoadReport?, logger: Logger) {
        self.logger = logger
        self.store = store
        self.options = options
        self.cache = cache
        self.coordinator = coordinator
        self.tracer = tracer
        self.prefix = prefix
        self.cacheFileLoad = cacheFileLoad
    }

    /// Opens (or creates) the database in `directory` and its cache, restoring the cache from
    /// the cache directory's newest files when one is configured (files that cannot be right
    /// for this database are skipped and removed with a warning).
    ///
    /// - Throws: `StorageError` from the storage, or a `TraceWriteError` when a trace file
    ///   cannot be opened.
    public static func open(at directory: URL, options: DatabaseOptions = DatabaseOptions(),
                            logger: Logger = Logger(label: "StateCache")) throws -> Database {
        try open(.sqlite(directory: directory), options: options, logger: logger)
    }

    /// Opens the database at `location` — a SQLite directory, or a PostgreSQL database whose
    /// schema is created when missing — and its cache, as ``open(at:options:logger:)`` does.
    ///
    /// - Throws: `StorageError` from the storage (for PostgreSQL also `cannotConnect`,
    ///   `invalidArgument` for a malformed URL), or a `TraceWriteError`.
    public static func open(_ location: StorageLocation, options: DatabaseOptions = DatabaseOptions(),
                            logger: Logger = Logger(label: "StateCache")) throws -> Database {
        let store: any ObjectStore
        switch location {
        case .sqlite(let directory, let storageOptions):
            store = try SQLiteObjectStore.open(at: directory, options: storageOptions)
        #if PostgreSQL
        case .postgres(let target, let storageOptions):
            store = try PostgresObjectStore.open(target, options: storageOptions)
        #else
        case .postgres:
            throw StateCacheError(.invalidConfiguration, "\(location) is a PostgreSQL database, and this "
                                  + "build of StateCache has no PostgreSQL storage (enable the package's PostgreSQL trait)")
        #endif
        }
        let prefix = options.prefix(forDatabaseNamed: store.databaseName)
        var logger = logger
        logger[metadataKey: "statecache.prefix"] = "\(prefix)"
        var tracer: TraceWriter?
        do {
            if let localDir = options.cacheLocalDir {
                try CacheDirectory.create(at: localDir)
            }
            if let path = TraceFileLocation.path(environment: ProcessInfo.processInfo.environment,
                                                 cacheDirectory: options.cacheLocalDir?.path, prefix: prefix,
                                                 explicitPath: options.cacheTraceFile?.path) {
                let writer = try TraceWriter(path: path)
                writer.writeRestart()
                tracer = writer
            }
        } catch {
            store.close()
            throw error
        }
        let cache = SharedStateCache(options: options.cache)
        let (coordinator, load) = restoreCacheFiles(into: cache, store: store, options: options, prefix: prefix,
                                                    logger: logger)
        return Database(store: store, options: options, cache: cache, coordinator: coordinator, tracer: tracer,
                        prefix: prefix, cacheFileLoad: load, logger: logger)
    }

    /// A new connection: its own snapshot and view of the shared cache. Poll before loading.
    ///
    /// - Throws: ``StateCacheError/Code/closed`` after ``close()``, or a `StorageError`.
    public func connect() throws -> Connection {
        try lifecycle.withLock { state throws(StateCacheError) in
            guard !state.closed else { throw StateCacheError(.closed, "the database is closed") }
            state.openConnections += 1
        }
        do {
            return Connection(storage: try store.connect() as any ObjectStoreConnection,
                              view: StorageView(cache: cache, coordinator: coordinator,
                                                deltaSizeLimit: options.cacheDeltaSizeLimit, tracer: tracer),
                              database: self)
        } catch {
            connectionClosed()
            throw error
        }
    }

    /// Counts a connection closed.
    func connectionClosed() {
        lifecycle.withLock { $0.openConnections -= 1 }
    }

    /// The connections opened and not yet closed.
    package var openConnectionCount: Int { lifecycle.withLock { $0.openConnections } }

    /// A new, never used OID.
    public func newOID() throws -> ObjectID {
        try store.newOIDs(count: 1)[0]
    }

    /// `count` new, never used OIDs.
    public func newOIDs(count: Int) throws -> [ObjectID] {
        try store.newOIDs(count: count)
    }

    /// The shared cache's statistics.
    public var cacheStats: CacheStatistics { cache.statistics }

    /// Writes the cache to the cache directory (when one is configured; a failure there is
    /// logged, not thrown), flushes and closes the trace, then closes the storage. Closing again
    /// does nothing.
    ///
    /// - Throws: ``StateCacheError/Code/connectionsOpen`` (and closes nothing) while connections
    ///   are open: close them first, so none keeps working against a closed database; a
    ///   `TraceWriteError` when the trace cannot be flushed.
    public func close() throws {
        let alreadyClosed = try lifecycle.withLock { state throws(StateCacheError) in
            guard !state.closed else { return true }
            guard state.openConnections == 0 else {
                throw StateCacheError(.connectionsOpen, "the database cannot close: \(state.openConnections) connection(s) "
                                      + "still open (close them first)")
            }
            state.closed = true
            return false
        }
        guard !alreadyClosed else { return }
        let save = writeCacheFiles()
        lifecycle.withLock { $0.save = save }
        var traceError: (any Error)?
        do { try tracer?.close() } catch { traceError = error }
        store.close()
        if let traceError { throw traceError }
    }
}
