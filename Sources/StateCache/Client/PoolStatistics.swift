/// A snapshot of a ``StateCacheClient``'s pool: what is open and leased now, and what leases
/// have cost since the client started. The pool fills it; it is read-only to users.
public struct PoolStatistics: Sendable, Hashable, CustomStringConvertible {
    /// Connections leased to tasks now.
    public internal(set) var leased = 0
    /// Open connections waiting in the pool now.
    public internal(set) var idle = 0
    /// Connections being opened now.
    public internal(set) var opening = 0
    /// Tasks waiting for a connection now.
    public internal(set) var waiters = 0
    /// Leases granted since the start.
    public internal(set) var leases = 0
    /// Leases that had to wait for a connection.
    public internal(set) var waits = 0
    /// Their total waiting time.
    public internal(set) var waitTime: Duration = .zero
    /// Leases that gave up after the lease timeout.
    public internal(set) var timeouts = 0
    /// Connections opened, and closed (idle, broken, or at shutdown), since the start.
    public internal(set) var opened = 0
    public internal(set) var closed = 0

    package init() {}

    /// One line: `leased 2, idle 3, opening 0, waiters 0; leases 120 (waited 4, 1.2 ms), timeouts 0, opened 5, closed 0`.
    public var description: String {
        "leased \(leased), idle \(idle), opening \(opening), waiters \(waiters); leases \(leases) "
            + "(waited \(waits), \(waitTime)), timeouts \(timeouts), opened \(opened), closed \(closed)"
    }
}
