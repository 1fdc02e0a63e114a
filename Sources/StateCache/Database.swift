import CacheCore
import CacheTrace
import Foundation
import SQLiteStorage
import StorageCache

/// A database and its process-wide cache: open one per process, connect once per thread.
///
/// ```swift
/// var options = DatabaseOptions()
/// options.cacheLocalMB = 100
/// let db = try Database.open(at: directoryURL, options: options)
/// let conn = try db.connect()
/// try conn.poll()
/// let oid = try db.newOID()
/// conn.store(oid, Array("hello".utf8), expecting: nil)
/// let tid = try conn.commit()
/// try conn.poll()
/// let loaded = try conn.load(oid)          // (state: [UInt8], tid: TID)?
/// conn.close(); try db.close()
/// ```
///
/// The database owns the SQLite object store, the ``SharedStateCache`` every connection shares,
/// the process's checkpoints (``CheckpointCoordinator``) and the trace writer, if tracing is on.
public final class Database: Sendable {
    /// The storage.
    public let store: SQLiteObjectStore
    /// The shared state cache.
    public let cache: SharedStateCache
    /// The process's checkpoints.
    public let coordinator: CheckpointCoordinator
    /// The trace writer, when tracing is on (`ZEO_CACHE_TRACE` with a cache directory, or
    /// ``DatabaseOptions/cacheTraceFile``).
    public let tracer: TraceWriter?
    /// The options the database was opened with.
    public let options: DatabaseOptions
    /// The cache namespace.
    public let prefix: String

    private init(store: SQLiteObjectStore, options: DatabaseOptions, tracer: TraceWriter?, prefix: String) {
        self.store = store
        self.options = options
        self.cache = SharedStateCache(options: options.cacheOptions)
        self.coordinator = CheckpointCoordinator()
        self.tracer = tracer
        self.prefix = prefix
    }

    /// Opens (or creates) the database in `directory` and its cache.
    ///
    /// - Throws: ``StorageError`` from the storage, or a ``TraceWriteError`` when a trace file
    ///   cannot be opened.
    public static func open(at directory: URL, options: DatabaseOptions = DatabaseOptions()) throws -> Database {
        let store = try SQLiteObjectStore.open(at: directory, options: options.storage)
        let prefix = options.prefix(for: directory)
        var tracer: TraceWriter?
        do {
            if let localDir = options.cacheLocalDir {
                try FileManager.default.createDirectory(at: localDir, withIntermediateDirectories: true)
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
        return Database(store: store, options: options, tracer: tracer, prefix: prefix)
    }

    /// A new connection: its own snapshot and view of the shared cache. Poll before loading.
    public func connect() throws -> Connection {
        Connection(storage: try store.connect(),
                   view: StorageView(cache: cache, coordinator: coordinator,
                                     deltaSizeLimit: options.cacheDeltaSizeLimit, tracer: tracer))
    }

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

    /// Flushes and closes the trace, then closes the storage. Connections must be closed first.
    public func close() throws {
        var traceError: (any Error)?
        do { try tracer?.close() } catch { traceError = error }
        store.close()
        if let traceError { throw traceError }
    }
}
