import StateCacheThreaded
import CacheCore
import CacheViews
import CoreMetrics
import Foundation
import Logging
import Metrics
import ObjectStorage

/// The async client: a `Sendable` value a Swift server shares, owning a database, its
/// process-wide cache and a pool of connections that tasks lease.
///
/// ```swift
/// let client = try await StateCacheClient.open(.sqlite(directory: url))
/// let oid = try await client.newOID()
/// try await client.withTransaction { tx in
///     let old = try await tx.load(oid)
///     try tx.store(oid, Array("hello".utf8), expecting: old?.tid)
/// }
/// let state = try await client.load(oid)
/// try await client.close()        // or run it as a swift-service-lifecycle Service
/// ```
///
/// Every connection does the work that may wait — a commit waiting seconds for SQLite's write
/// lock, every libpq round trip — on a thread of its own, never on Swift's cooperative pool,
/// so it stalls no other task. On PostgreSQL a lease moves its whole body onto that thread (a
/// task executor preference): its round trips cost no hop each. On SQLite, whose reads never
/// wait for a writer (WAL), polls, loads and cache hits run where the task is, at the speed of
/// a plain thread; only commits hop (`statecache bench client` measures both).
///
/// ``withTransaction(isolation:_:)`` reruns its body when it lost a race (``RetryPolicy``), so keep side
/// effects out of it. ``run()`` makes the client a swift-service-lifecycle `Service`: it keeps
/// the pool (idle timeouts, minimum connections, metrics) until cancelled or shut down
/// gracefully, then drains it and closes the database (saving the cache files).
public final class StateCacheClient: Sendable {
    /// The database: its options, cache, statistics, and the synchronous API for threads.
    public let database: Database
    /// How connections are pooled.
    package let poolConfiguration: PoolConfiguration
    /// How transactions are rerun.
    package let retryPolicy: RetryPolicy
    let logger: Logger
    let metrics: ClientMetrics
    let pool: ConnectionPool
    private let closed = Locked<Task<Void, any Error>?>(nil)

    /// A client over an open database.
    ///
    /// - Parameters:
    ///   - database: the database; the client's ``close(closingDatabase:)`` closes it.
    ///   - pool: how connections are pooled.
    ///   - retryPolicy: how ``withTransaction(isolation:_:)`` reruns transactions.
    ///   - logger: where the client logs (pool events at debug, failures at warning). The
    ///     database logs to the logger it was opened with.
    ///   - metricsFactory: the swift-metrics backend; nil uses the one bootstrapped in
    ///     `MetricsSystem`.
    /// - Throws: `StateCacheError.Code.invalidConfiguration` for pool limits out of range.
    public init(database: Database, pool: PoolConfiguration = PoolConfiguration(), retryPolicy: RetryPolicy = RetryPolicy(),
                logger: Logger? = nil, metricsFactory: (any MetricsFactory)? = nil) throws {
        try pool.validate()
        self.database = database
        self.poolConfiguration = pool
        self.retryPolicy = retryPolicy
        let logger = logger ?? database.logger
        self.logger = logger
        metrics = ClientMetrics(factory: metricsFactory ?? MetricsSystem.factory,
                                dimensions: [("database", database.prefix)])
        self.pool = ConnectionPool(database: database, configuration: pool, logger: logger, metrics: metrics)
        if let load = database.cacheFileLoad {
            metrics.cacheFileLoad.recordSeconds(load.seconds)
            metrics.cacheFileLoadEntries.record(load.entriesRestored)
        }
    }

    /// Opens the database at `location` (restoring its cache from the cache files, which can
    /// take a moment, on a thread of its own) and a client over it.
    public static func open(_ location: StorageLocation, options: DatabaseOptions = DatabaseOptions(),
                            pool: PoolConfiguration = PoolConfiguration(), retryPolicy: RetryPolicy = RetryPolicy(),
                            logger: Logger = Logger(label: "StateCache"), metricsFactory: (any MetricsFactory)? = nil) async throws -> StateCacheClient {
        try pool.validate()
        let database = try await Self.onOwnThread { try Database.open(location, options: options, logger: logger) }
        do {
            return try StateCacheClient(database: database, pool: pool, retryPolicy: retryPolicy, logger: logger,
                                        metricsFactory: metricsFactory)
        } catch {
            try? database.close()
            throw error
        }
    }

    /// Opens the database and client `configuration` describes (see ``StateCacheConfiguration``).
    ///
    /// - Throws: `StateCacheError.Code.invalidConfiguration` when it names no `storage`, or
    ///   what ``open(_:options:pool:retryPolicy:logger:metricsFactory:)`` throws.
    public static func open(_ configuration: StateCacheConfiguration, retryPolicy: RetryPolicy = RetryPolicy(),
                            logger: Logger = Logger(label: "StateCache"),
                            metricsFactory: (any MetricsFactory)? = nil) async throws -> StateCacheClient {
        guard let location = configuration.location else {
            throw StateCacheError(.invalidConfiguration, "the configuration names no storage (key 'storage')")
        }
        return try await open(location, options: configuration.options, pool: configuration.pool, retryPolicy: retryPolicy,
                              logger: logger, metricsFactory: metricsFactory)
    }

    // MARK: - Leases

    /// Leases a connection, polls it (its snapshot is the newest committed transaction), and
    /// runs `body` with it; the connection returns to the pool when `body` ends, its
    /// uncommitted stores dropped.
    ///
    /// Waits for a connection when all are leased (at most the pool's lease timeout); a
    /// cancelled task stops waiting. A connection whose session was lost is closed rather
    /// than returned.
    ///
    /// Where the body runs: on SQLite, where it was called (reads never wait for a writer;
    /// only a commit hops to the connection's thread). On PostgreSQL, from nonisolated code (a
    /// server's request handler, a task group's child), on the connection's thread, so its
    /// round trips cost no hop each; from an actor (the main actor, say), on that actor, as any
    /// closure there does, each call hopping to the connection's thread and back.
    ///
    /// - Throws: what `body` throws; `StateCacheError` `.leaseTimeout` or `.closed`;
    ///   `CancellationError`; a `StorageError` from opening or polling the connection.
    public func withConnection<Result>(isolation: isolated (any Actor)? = #isolation,
                                       _ body: (ClientConnection) async throws -> Result) async throws -> Result {
        let pooled = try await pool.lease()
        let handle = ClientConnection(pooled)
        var reusable = true
        defer {
            let idle = handle.endLease()
            if idle && pooled.connection.pendingStoreCount > 0 { pooled.connection.abort() }
            pool.release(pooled, reusable: reusable && idle)
        }
        do {
            guard !pooled.readsInline else {
                // Reads run here; a commit hops to the connection's thread and back.
                try await handle.poll()
                return try await body(handle)
            }
            // Every call may wait: the body runs on the connection's thread, so its round
            // trips cost no hop each.
            return try await withTaskExecutorPreference(pooled.thread, isolation: isolation) {
                try await handle.poll()
                return try await body(handle)
            }
        } catch {
            if Self.breaksConnection(error) { reusable = false }
            throw error
        }
    }

    /// Runs `body` as one transaction: leases a polled connection, runs `body`, and commits
    /// what it stored. A transaction that lost a race is rerun from a fresh snapshot, as the
    /// ``retryPolicy`` says; the body may therefore run more than once.
    ///
    /// A task cancelled before the commit commits nothing (its stores are dropped, it throws
    /// `CancellationError`); a commit is atomic, so nothing is ever half-written.
    ///
    /// - Throws: an error of the body's own (never rerun); the last attempt's error when every
    ///   attempt lost its race (`StorageError.Code.conflict`, say, from the commit or the body's loads); `StorageError.Code.commitOutcomeUnknown` when
    ///   the connection was lost during the commit itself (it may have landed: never rerun, the
    ///   caller settles it by reading the objects back).
    public func withTransaction<Result>(isolation: isolated (any Actor)? = #isolation,
                                        _ body: (ClientTransaction) async throws -> Result) async throws -> Result {
        var generator = SystemRandomNumberGenerator()
        var attempt = 0
        while true {
            attempt += 1
            do {
                return try await withConnection(isolation: isolation) { connection in
                    let result = try await body(ClientTransaction(connection: connection))
                    try Task.checkCancellation()
                    if connection.pendingStoreCount > 0 {
                        let started = ContinuousClock.now
                        try await connection.commit()
                        metrics.commits.recordNanoseconds((ContinuousClock.now - started).nanoseconds)
                    }
                    return result
                }
            } catch {
                guard attempt < retryPolicy.maximumAttempts, Self.isWorthRerunning(error) else {
                    throw error
                }
                if case StorageError.Code.conflict = error { metrics.conflicts.increment() }
                metrics.retries.increment()
                logger.debug("rerunning a transaction", metadata: ["statecache.attempt": "\(attempt + 1)",
                                                                   "statecache.reason": "\(error)"])
                try await Task.sleep(for: retryPolicy.delay(after: attempt, using: &generator))
            }
        }
    }

    /// Whether a transaction that failed with `error` may simply be run again: what
    /// `StorageError.isRetryable` allows (a conflict, a busy lock or a serialization failure,
    /// a connection lost with nothing written) and a cache that disagreed with the database
    /// (it was cleared). A commit whose outcome is unknown is never rerun.
    static func isWorthRerunning(_ error: any Error) -> Bool {
        switch error {
        case let error as StorageError: return error.isRetryable
        case CacheViewError.inconsistent: return true
        default: return false
        }
    }

    /// Whether `error` leaves the connection unusable.
    static func breaksConnection(_ error: any Error) -> Bool {
        switch error {
        case StorageError.Code.connectionLost, StorageError.Code.commitOutcomeUnknown, StorageError.Code.closed: return true
        default: return false
        }
    }

    // MARK: - Conveniences

    /// The current state of `oid` (in a freshly polled snapshot) and the TID that wrote it;
    /// nil for no such object.
    public func load(_ oid: ObjectID) async throws -> ObjectState? {
        try await withConnection { try await $0.load(oid) }
    }

    /// The current states of `oids` (one snapshot); objects that do not exist are absent.
    public func load(many oids: [ObjectID]) async throws -> [ObjectID: ObjectState] {
        try await withConnection { try await $0.load(many: oids) }
    }

    /// A new, never used OID.
    public func newOID() async throws -> ObjectID {
        try await newOIDs(count: 1)[0]
    }

    /// `count` new, never used OIDs (allocated on a pooled connection's thread).
    public func newOIDs(count: Int) async throws -> [ObjectID] {
        let pooled = try await pool.lease()
        defer { pool.release(pooled, reusable: true) }
        let database = self.database
        return try await pooled.thread.run { try database.newOIDs(count: count) }
    }

    /// The pool's counters now.
    public var poolStatistics: PoolStatistics { pool.statistics }

    /// The shared cache's counters now.
    public var cacheStatistics: CacheStatistics { database.cacheStats }

    // MARK: - Shutdown

    /// Drains the pool — new leases fail with `.closed`, waiting ones too, leased connections
    /// are waited for — then closes the connections and the database, saving the cache files.
    /// Safe to call more than once and from several tasks: all wait for the one shutdown.
    ///
    /// - Parameter closingDatabase: false leaves the database open, for a database the
    ///   application also uses through threaded `Connection`s (it then closes it itself).
    public func close(closingDatabase: Bool = true) async throws {
        let shutdown = closed.withLock { task -> Task<Void, any Error> in
            if let task { return task }
            let started = Task { try await self.shutDown(closingDatabase: closingDatabase) }
            task = started
            return started
        }
        try await shutdown.value
    }

    private func shutDown(closingDatabase: Bool) async throws {
        logger.debug("closing the StateCache client")
        await pool.drain()
        reportMetrics()
        guard closingDatabase else { return }
        let database = self.database
        try await Self.onOwnThread { try database.close() }
        if let save = database.cacheFileSave {
            metrics.cacheFileSave.recordSeconds(save.seconds)
            metrics.cacheFileSaveEntries.record(save.entries)
        }
    }

    /// Reports the cache's counters and the pool's gauges to the metrics backend.
    func reportMetrics() {
        metrics.report(cache: database.cacheStats, pool: pool.statistics)
    }

    /// Runs `body` on a thread started for it (blocking work outside any connection).
    static func onOwnThread<T>(_ body: () throws -> T) async throws -> T {
        let thread = ConnectionThread(name: "StateCache")
        defer { thread.stop() }
        return try await thread.run(body)
    }
}
