/// How a ``StateCacheClient`` pools its connections.
///
/// Each pooled connection owns a database connection (its snapshot and cache view) and the
/// thread its blocking work runs on, so ``maximumConnections`` bounds both the database
/// connections and the threads the client starts.
public struct PoolConfiguration: Sendable, Hashable {
    /// Connections opened when the client starts running and kept open while idle.
    public var minimumConnections = 0
    /// The most connections open at once; further leases wait for one to come back.
    public var maximumConnections = 16
    /// An idle connection unused this long releases its snapshot (so it holds back neither
    /// SQLite's write-ahead log nor PostgreSQL's vacuum) and, above ``minimumConnections``, is
    /// closed. Checked by ``StateCacheClient/run()``.
    public var idleTimeout: Duration = .seconds(60)
    /// How long a lease may wait for a connection before failing with
    /// `StateCacheError.Code.leaseTimeout`.
    public var leaseTimeout: Duration = .seconds(30)

    /// A configuration with these limits; `PoolConfiguration()` gives the defaults: up to 16
    /// connections, none kept open, a minute's idle time, 30 s to lease.
    public init(minimumConnections: Int = 0, maximumConnections: Int = 16, idleTimeout: Duration = .seconds(60),
                leaseTimeout: Duration = .seconds(30)) {
        self.minimumConnections = minimumConnections
        self.maximumConnections = maximumConnections
        self.idleTimeout = idleTimeout
        self.leaseTimeout = leaseTimeout
    }

    /// Throws `StateCacheError.Code.invalidConfiguration` naming the first limit out of range.
    func validate() throws(StateCacheError) {
        guard maximumConnections >= 1 else {
            throw StateCacheError(.invalidConfiguration, "pool maximumConnections must be at least 1 (got \(maximumConnections))")
        }
        guard (0...maximumConnections).contains(minimumConnections) else {
            throw StateCacheError(.invalidConfiguration,
                                  "pool minimumConnections must be between 0 and maximumConnections (got \(minimumConnections))")
        }
        guard idleTimeout > .zero, leaseTimeout >= .zero else {
            throw StateCacheError(.invalidConfiguration, "pool idleTimeout must be positive and leaseTimeout not negative")
        }
    }
}
