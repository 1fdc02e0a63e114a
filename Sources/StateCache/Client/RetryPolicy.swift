/// How ``StateCacheClient/withTransaction(isolation:_:)`` reruns a transaction that lost a race.
///
/// A transaction is rerun, from a fresh poll, when its failure says nothing was written and a
/// second try may succeed — `StorageError.isRetryable`: a conflict (another transaction changed
/// an object it read), SQLite's write lock busy past its timeout, a PostgreSQL serialization
/// failure or deadlock, a connection lost before or during the commit with nothing written
/// (on a new connection) — and when the cache and the database disagreed
/// (`CacheViewError.inconsistent`: the cache was cleared). A commit whose outcome is unknown
/// (`StorageError.Code.commitOutcomeUnknown`: the session died while COMMIT was in flight) is never
/// rerun: only the application can tell whether doing it twice is harmless.
///
/// Delays grow exponentially with full jitter (a random delay between zero and the bound),
/// so transactions that collided do not collide again in lockstep.
public struct RetryPolicy: Sendable, Hashable {
    /// Attempts in all, the first included; the last attempt's error is thrown.
    public var maximumAttempts = 10
    /// The bound of the first retry's delay; doubled per retry up to ``maximumDelay``.
    public var initialDelay: Duration = .milliseconds(2)
    /// The largest delay bound.
    public var maximumDelay: Duration = .milliseconds(250)

    /// A policy with these bounds; `RetryPolicy()` gives the defaults: 10 attempts, delays
    /// bounded by 2 ms doubling to 250 ms.
    public init(maximumAttempts: Int = 10, initialDelay: Duration = .milliseconds(2), maximumDelay: Duration = .milliseconds(250)) {
        self.maximumAttempts = maximumAttempts
        self.initialDelay = initialDelay
        self.maximumDelay = maximumDelay
    }

    /// Never rerun: the first conflict is thrown.
    public static let never = RetryPolicy(maximumAttempts: 1)

    /// The delay before attempt `attempt + 1` (attempt counts from 1): uniform in
    /// `0 ... min(maximumDelay, initialDelay × 2^(attempt-1))`.
    func delay<G: RandomNumberGenerator>(after attempt: Int, using generator: inout G) -> Duration {
        let doublings = Swift.min(attempt - 1, 30)
        let bound = Swift.min(maximumDelay, initialDelay * (1 << doublings))
        let nanoseconds = bound.components.seconds * 1_000_000_000 + bound.components.attoseconds / 1_000_000_000
        guard nanoseconds > 0 else { return .zero }
        return .nanoseconds(Int64.random(in: 0...nanoseconds, using: &generator))
    }
}
