/// What one policy at one size did over a whole trace.
public struct SimulationResult: Sendable, Equatable {
    /// The policy simulated.
    public var policy: SimulationPolicy
    /// The cache's bound.
    public var capacity: SimulationCapacity
    /// Requests replayed (the same for every policy of a run).
    public var requests: Int
    /// Requests the simulated cache served.
    public var hits: Int

    /// A result of `hits` out of `requests` for `policy` at `capacity`.
    public init(policy: SimulationPolicy, capacity: SimulationCapacity, requests: Int, hits: Int) {
        self.policy = policy
        self.capacity = capacity
        self.requests = requests
        self.hits = hits
    }

    /// Hits per request, in percent (0 when there was no request).
    public var hitRate: Double { requests > 0 ? 100 * Double(hits) / Double(requests) : 0 }
}
