import StateCacheThreaded
import CacheCore
import Dispatch
import Logging

/// The pool behind ``StateCacheClient``: leases connections to tasks, opens them up to the
/// maximum, queues waiters in arrival order with a timeout, and closes idle ones.
///
/// All bookkeeping happens under one lock and no lock is held across an `await`; a waiter is
/// handed a connection directly by the task that returns one (or the permission to open one,
/// when a connection was discarded or failed to open), so a returned connection never sits
/// idle while someone waits.
final class ConnectionPool: Sendable {
    /// What a waiter is given.
    enum Grant {
        case connection(PooledConnection)
        /// Room for one more connection: the waiter opens it.
        case open
    }

    private struct Waiter {
        let id: UInt64
        let continuation: CheckedContinuation<Grant, any Error>
        let started: ContinuousClock.Instant
        /// When it gives up: `started` plus the lease timeout, so later waiters have later
        /// deadlines and the first waiter's is always the earliest.
        let deadline: ContinuousClock.Instant
    }

    private struct State {
        var idle: [PooledConnection] = []
        var leased = 0
        var opening = 0
        var waiters: [Waiter] = []
        /// Waiters cancelled before they were queued (the cancellation handler ran first).
        var cancelledEarly: Set<UInt64> = []
        var nextID: UInt64 = 0
        var nextNumber = 0
        var closing = false
        /// Whether the task that times waiters out is running (one per pool, while anyone waits).
        var timing = false
        /// Continuations of `drain()`: resumed when the last lease comes back.
        var drained: [CheckedContinuation<Void, Never>] = []
        var statistics = PoolStatistics()

        var open: Int { idle.count + leased + opening }

        /// The `drain()` continuations to resume, once closing and nothing is out.
        mutating func takeDrainedIfIdle() -> [CheckedContinuation<Void, Never>] {
            guard closing && leased == 0 && opening == 0 else { return [] }
            defer { drained = [] }
            return drained
        }
    }

    let database: Database
    let configuration: PoolConfiguration
    let logger: Logger
    let metrics: ClientMetrics
    private let state = Locked(State())
    /// Entered for every connection being closed: ``drain()`` waits for it.
    private let closes = DispatchGroup()

    init(database: Database, configuration: PoolConfiguration, logger: Logger, metrics: ClientMetrics) {
        self.database = database
        self.configuration = configuration
        self.logger = logger
        self.metrics = metrics
    }

    /// The pool's counters now.
    var statistics: PoolStatistics {
        state.withLock { state in
            var statistics = state.statistics
            statistics.leased = state.leased
            statistics.idle = state.idle.count
            statistics.opening = state.opening
            statistics.waiters = state.waiters.count
            return statistics
        }
    }

    // MARK: - Leasing

    /// A connection for the calling task: an idle one (the most recently returned, whose
    /// pages are warmest), a new one while below the maximum, or the next one returned.
    ///
    /// - Throws: `StateCacheError` `.leaseTimeout` or `.closed`, `CancellationError` when the
    ///   task is cancelled while waiting, or the error of opening a connection.
    func lease() async throws -> PooledConnection {
        try Task.checkCancellation()
        enum Step { case ready(PooledConnection), open, wait(UInt64), closed }
        let step = state.withLock { state -> Step in
            if state.closing { return .closed }
            if let pooled = state.idle.popLast() {
                state.leased += 1
                state.statistics.leases += 1
                return .ready(pooled)
            }
            if state.open < configuration.maximumConnections {
                state.opening += 1
                return .open
            }
            state.nextID += 1
            return .wait(state.nextID)
        }
        switch step {
        case .ready(let pooled): return pooled
        case .closed: throw StateCacheError(.closed, "the StateCache client is closed")
        case .open: return try await openGranted()
        case .wait(let id):
            switch try await wait(id) {
            case .connection(let pooled): return pooled
            case .open: return try await openGranted()
            }
        }
    }

    /// Opens a connection in a slot already counted in `opening`; on failure gives the slot
    /// to the next waiter, who tries again.
    private func openGranted() async throws -> PooledConnection {
        let number = state.withLock { state in
            state.nextNumber += 1
            return state.nextNumber
        }
        do {
            let pooled = try await PooledConnection.open(database, number: number)
            state.withLock { state in
                state.opening -= 1
                state.leased += 1
                state.statistics.leases += 1
                state.statistics.opened += 1
            }
            logger.debug("opened a pooled connection", metadata: ["statecache.connection": "\(number)"])
            return pooled
        } catch {
            var drained: [CheckedContinuation<Void, Never>] = []
            let next = state.withLock { state -> Waiter? in
                guard !state.waiters.isEmpty else {
                    state.opening -= 1
                    drained = state.takeDrainedIfIdle()
                    return nil
                }
                return state.waiters.removeFirst()  // keeps the slot in `opening`
            }
            if let next { grant(.open, to: next) }
            for continuation in drained { continuation.resume() }
            logger.warning("could not open a pooled connection: \(error)")
            throw error
        }
    }

    private func wait(_ id: UInt64) async throws -> Grant {
        let started = ContinuousClock.now
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Grant, any Error>) in
                let waiter = Waiter(id: id, continuation: continuation, started: started,
                                    deadline: started + configuration.leaseTimeout)
                let (queued, startTiming) = state.withLock { state -> (Bool, Bool) in
                    if state.cancelledEarly.remove(id) != nil || state.closing { return (false, false) }
                    state.waiters.append(waiter)
                    defer { state.timing = true }
                    return (true, !state.timing)
                }
                if startTiming { Task { [weak self] in await self?.timeWaitersOut() } }
                if !queued {
                    let closing = state.withLock { $0.closing }
                    continuation.resume(throwing: closing ? StateCacheError(.closed, "the StateCache client is closed")
                                                          : CancellationError())
                }
            }
        } onCancel: {
            self.abandon(id, CancellationError())
        }
    }

    /// Fails the waiters whose deadline passed with `.leaseTimeout`, sleeping until the first
    /// waiter's deadline, for as long as anyone waits: one task for the pool rather than a
    /// timer per wait (which cost more than a lease when most leases wait).
    private func timeWaitersOut() async {
        while true {
            let next = state.withLock { state -> ContinuousClock.Instant? in
                guard let first = state.waiters.first, !state.closing else {
                    state.timing = false
                    return nil
                }
                return first.deadline
            }
            guard let next else { return }
            try? await Task.sleep(until: next, clock: .continuous)
            let now = ContinuousClock.now
            let overdue = state.withLock { state -> [Waiter] in
                let count = state.waiters.prefix { $0.deadline <= now }.count
                state.statistics.timeouts += count
                defer { state.waiters.removeFirst(count) }
                return Array(state.waiters.prefix(count))
            }
            for waiter in overdue {
                metrics.leaseTimeouts.increment()
                waiter.continuation.resume(throwing: StateCacheError(
                    .leaseTimeout, "no StateCache connection came back within \(configuration.leaseTimeout) "
                        + "(maximumConnections \(configuration.maximumConnections))"))
            }
        }
    }

    /// Takes waiter `id` out of the queue and fails it with a cancellation; if it is not
    /// queued yet, it will not be.
    private func abandon(_ id: UInt64, _ error: CancellationError) {
        let waiter = state.withLock { state -> Waiter? in
            guard let index = state.waiters.firstIndex(where: { $0.id == id }) else {
                state.cancelledEarly.insert(id)
                return nil
            }
            return state.waiters.remove(at: index)
        }
        waiter?.continuation.resume(throwing: error)
    }

    private func grant(_ grant: Grant, to waiter: Waiter) {
        let waited = ContinuousClock.now - waiter.started
        state.withLock { state in
            state.statistics.waits += 1
            state.statistics.waitTime += waited
            if case .connection = grant { state.statistics.leases += 1 }
        }
        metrics.poolWait.recordNanoseconds(waited.nanoseconds)
        waiter.continuation.resume(returning: grant)
    }

    // MARK: - Returning

    /// Takes back a leased connection: to the next waiter, to the idle list, or — when it is
    /// no longer usable (`reusable` false) or the pool is closing — closed.
    func release(_ pooled: PooledConnection, reusable: Bool) {
        enum Next { case grant(Waiter, Grant), close, none }
        var drained: [CheckedContinuation<Void, Never>] = []
        let next = state.withLock { state -> Next in
            state.leased -= 1
            defer { drained = state.takeDrainedIfIdle() }
            if !reusable || state.closing {
                state.statistics.closed += 1
                guard !state.closing, !state.waiters.isEmpty else { return .close }
                state.opening += 1  // the slot goes to the next waiter, who opens a connection
                return .grant(state.waiters.removeFirst(), .open)
            }
            if !state.waiters.isEmpty {
                state.leased += 1
                return .grant(state.waiters.removeFirst(), .connection(pooled))
            }
            pooled.returned = .now
            pooled.snapshotReleased = false
            state.idle.append(pooled)
            return .none
        }
        switch next {
        case .grant(let waiter, let grant):
            if !reusable { pooled.close(closes) }
            self.grant(grant, to: waiter)
        case .close: pooled.close(closes)
        case .none: break
        }
        for continuation in drained { continuation.resume() }
    }

    // MARK: - Upkeep and shutdown

    /// Opens connections up to the minimum.
    func fillToMinimum() async {
        while true {
            let needed = state.withLock { state -> Bool in
                guard !state.closing, state.open < configuration.minimumConnections else { return false }
                state.opening += 1
                return true
            }
            guard needed else { return }
            do {
                let pooled = try await openGranted()
                release(pooled, reusable: true)
            } catch {
                return  // logged by openGranted; the next upkeep tries again
            }
        }
    }

    /// Closes connections idle longer than the idle timeout down to the minimum, and makes the
    /// ones kept release their snapshots.
    func closeIdle(now: ContinuousClock.Instant = .now) async {
        let (expired, resting) = state.withLock { state -> ([PooledConnection], [PooledConnection]) in
            var expired: [PooledConnection] = []
            var resting: [PooledConnection] = []
            var kept: [PooledConnection] = []
            // Oldest first: the list is in return order.
            for pooled in state.idle {
                let idleFor = now - pooled.returned
                if idleFor >= configuration.idleTimeout && state.open - expired.count > configuration.minimumConnections {
                    expired.append(pooled)
                } else if idleFor >= configuration.idleTimeout && !pooled.snapshotReleased {
                    resting.append(pooled)
                } else {
                    kept.append(pooled)
                }
            }
            state.idle = kept
            state.leased += resting.count  // out of the pool while their snapshot is released
            state.statistics.closed += expired.count
            return (expired, resting)
        }
        for pooled in expired { pooled.close(closes) }
        for pooled in resting {
            let connection = pooled.connection
            _ = try? await pooled.thread.run { connection.releaseSnapshot() }
            let returned = pooled.returned
            release(pooled, reusable: true)
            state.withLock { _ in
                pooled.returned = returned  // resting does not count as use
                pooled.snapshotReleased = true
            }
        }
        if !expired.isEmpty || !resting.isEmpty {
            logger.debug("idle connections", metadata: ["statecache.closed": "\(expired.count)",
                                                        "statecache.snapshotsReleased": "\(resting.count)"])
        }
    }

    /// Stops leasing (waiters fail with `.closed`), waits until every leased connection is
    /// back, then closes them all.
    func drain() async {
        let (waiters, mustWait) = state.withLock { state -> ([Waiter], Bool) in
            state.closing = true
            let waiters = state.waiters
            state.waiters = []
            return (waiters, state.leased > 0 || state.opening > 0)
        }
        for waiter in waiters {
            waiter.continuation.resume(throwing: StateCacheError(.closed, "the StateCache client is closing"))
        }
        if mustWait {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let done = state.withLock { state -> Bool in
                    guard state.leased > 0 || state.opening > 0 else { return true }
                    state.drained.append(continuation)
                    return false
                }
                if done { continuation.resume() }
            }
        }
        let idle = state.withLock { state -> [PooledConnection] in
            let idle = state.idle
            state.idle = []
            state.statistics.closed += idle.count
            return idle
        }
        for pooled in idle { pooled.close(closes) }
    }

    /// Whether ``drain()`` has begun.
    var isClosing: Bool { state.withLock { $0.closing } }
}

extension Duration {
    /// The duration in whole nanoseconds (saturating).
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (product, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        return overflow ? .max : product &+ attoseconds / 1_000_000_000
    }
}
