import CacheCore

/// How many shards the simulated W-TinyLFU cache splits into (`cache-simul --shards`).
///
/// The running cache is not one policy: `SharedStateCache` splits its keys and its
/// budget into shards (`ShardLayout`), each a W-TinyLFU of its own. One policy (the
/// default) shows what the policy can do; the cache's own count shows what a process gets.
public enum SimulationShards: Sendable, Hashable {
    /// A fixed number of shards (a power of two) at every size; 1 is one policy.
    case count(Int)
    /// The count the cache picks for each size (`ShardLayout.automatic(capacity:)`);
    /// entry bounds, which the cache never has, get one policy.
    case automatic

    /// The layout of a cache of `capacity`.
    public func layout(for capacity: SimulationCapacity) -> ShardLayout {
        switch self {
        case .count(let count): return ShardLayout(count: count)
        case .automatic: return capacity.isBytes ? ShardLayout.automatic(capacity: capacity.limit) : ShardLayout(count: 1)
        }
    }

    /// Reads `auto` or a power of two from 1 to 65,536; nil for anything else.
    package static func parse(_ text: String) -> SimulationShards? {
        if text.lowercased() == "auto" { return .automatic }
        guard let count = Int(text), count >= 1, count <= 65_536, count & (count - 1) == 0 else { return nil }
        return .count(count)
    }

    /// `auto` or the count, as `--shards` takes it.
    public var name: String {
        switch self {
        case .count(let count): return String(count)
        case .automatic: return "auto"
        }
    }
}
