import CacheCore
import CoreMetrics

/// The swift-metrics instruments a ``StateCacheClient`` reports to.
///
/// Events the client sees itself (commits, conflicts, retries, lease waits and timeouts) are
/// recorded as they happen. The cache's own counters (hits, misses, stores, evictions, bytes)
/// are read from its polled statistics and reported as deltas by ``report(cache:pool:)`` —
/// once per upkeep tick of ``StateCacheClient/run()`` and at shutdown — so a cache hit never
/// pays for a metrics call.
///
/// Labels (all prefixed `statecache_`): see the "Operating StateCache" article.
final class ClientMetrics: Sendable {
    let loads: Counter
    let hits: Counter
    let misses: Counter
    let stores: Counter
    let evictions: Counter
    let cacheBytes: Gauge
    let cacheEntries: Gauge
    let commits: Timer
    let conflicts: Counter
    let retries: Counter
    let poolWait: Timer
    let leaseTimeouts: Counter
    let leased: Gauge
    let idle: Gauge
    let waiters: Gauge
    let cacheFileLoad: Timer
    let cacheFileLoadEntries: Gauge
    let cacheFileSave: Timer
    let cacheFileSaveEntries: Gauge
    private let reported = Locked(CacheStatistics())

    init(factory: any MetricsFactory, dimensions: [(String, String)]) {
        func counter(_ name: String) -> Counter { Counter(label: "statecache_\(name)", dimensions: dimensions, factory: factory) }
        func gauge(_ name: String) -> Gauge { Gauge(label: "statecache_\(name)", dimensions: dimensions, factory: factory) }
        func timer(_ name: String) -> Timer { Timer(label: "statecache_\(name)", dimensions: dimensions, factory: factory) }
        loads = counter("cache_lookups_total")
        hits = counter("cache_hits_total")
        misses = counter("cache_misses_total")
        stores = counter("cache_stores_total")
        evictions = counter("cache_evictions_total")
        cacheBytes = gauge("cache_bytes")
        cacheEntries = gauge("cache_entries")
        commits = timer("commit_duration")
        conflicts = counter("conflicts_total")
        retries = counter("transaction_retries_total")
        poolWait = timer("pool_wait_duration")
        leaseTimeouts = counter("pool_lease_timeouts_total")
        leased = gauge("pool_leased")
        idle = gauge("pool_idle")
        waiters = gauge("pool_waiters")
        cacheFileLoad = timer("cache_file_load_duration")
        cacheFileLoadEntries = gauge("cache_file_load_entries")
        cacheFileSave = timer("cache_file_save_duration")
        cacheFileSaveEntries = gauge("cache_file_save_entries")
    }

    /// Reports what the cache counted since the previous report, and the pool's gauges.
    func report(cache: CacheStatistics, pool: PoolStatistics) {
        let previous = reported.withLock { reported in
            defer { reported = cache }
            return reported
        }
        func delta(_ now: Int, _ before: Int) -> Int64 { Int64(Swift.max(0, now - before)) }
        loads.increment(by: delta(cache.hits + cache.misses, previous.hits + previous.misses))
        hits.increment(by: delta(cache.hits, previous.hits))
        misses.increment(by: delta(cache.misses, previous.misses))
        stores.increment(by: delta(cache.sets, previous.sets))
        evictions.increment(by: delta(cache.evictions, previous.evictions))
        cacheBytes.record(cache.bytes)
        cacheEntries.record(cache.entries)
        leased.record(pool.leased)
        idle.record(pool.idle)
        waiters.record(pool.waiters)
    }
}
