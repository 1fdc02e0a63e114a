import CacheCore
import CacheTrace

/// Everything a sweep found, in the shape `--format json` prints and the chart draws.
public struct SweepReport: Sendable, Codable, Equatable {
    /// One policy at one size.
    public struct Row: Sendable, Codable, Equatable {
        /// The policy's name (``SimulationPolicy``'s raw value: `lru`, `arc`, `2q`, `wtinylfu`, `opt` …).
        public var policy: String
        /// The bound: bytes (10⁶ per MB) or entries, as ``unit`` says.
        public var capacity: Int
        /// `bytes` or `entries`.
        public var unit: String
        /// Requests replayed.
        public var requests: Int
        /// Requests served from the simulated cache.
        public var hits: Int
        /// Hits per request, in percent.
        public var hitRate: Double
    }

    /// The settings that shaped the numbers.
    public struct Settings: Sendable, Codable, Equatable {
        /// `--cold-restarts`: restarts cleared the cache.
        public var coldRestarts: Bool
        /// `--every-record`: repeated misses and fills were not folded.
        public var everyRecord: Bool
        /// W-TinyLFU's initial window share.
        public var windowFraction: Double
        /// W-TinyLFU's window adaptation.
        public var adaptation: String
        /// W-TinyLFU's jitter seed.
        public var seed: UInt64
        /// W-TinyLFU's shards: a count (1: one policy) or `auto`, the count the cache picks per size.
        public var shards: String
        /// Byte bounds: an entry's weight beyond its state (`CacheOptions.entryOverhead`).
        public var entryOverhead: Int?
        /// Byte bounds: states this large or larger are not cached.
        public var objectMax: Int?
    }

    /// The trace's name as given (`-` for standard input).
    public var trace: String
    /// How the trace mapped to operations.
    public var operations: OperationStream.Summary
    /// Requests replayed (the denominator of every hit rate).
    public var requests: Int
    /// Distinct objects.
    public var objects: Int
    /// The settings that shaped the numbers.
    public var settings: Settings
    /// By policy, then by size.
    public var results: [Row]

    /// Assembles a report.
    public init(trace: String, stream: OperationStream, settings: SimulationSettings, everyRecord: Bool,
                results: [SimulationResult]) {
        self.trace = trace
        operations = stream.summary
        requests = stream.requestCount
        objects = stream.objectCount
        let bytes = results.first?.capacity.isBytes ?? true
        self.settings = Settings(coldRestarts: settings.coldRestarts, everyRecord: everyRecord,
                                 windowFraction: settings.windowFraction, adaptation: settings.adaptation.rawValue,
                                 seed: settings.seed, shards: settings.shards.name,
                                 entryOverhead: bytes ? CacheOptions.entryOverhead : nil,
                                 objectMax: bytes ? SimulationCapacity.objectMax : nil)
        self.results = results.map { result in
            Row(policy: result.policy.rawValue, capacity: result.capacity.limit,
                unit: result.capacity.isBytes ? "bytes" : "entries", requests: result.requests,
                hits: result.hits, hitRate: result.hitRate)
        }
    }

    /// The policies, in report order.
    public var policies: [String] {
        var seen = Set<String>()
        return results.map(\.policy).filter { seen.insert($0).inserted }
    }

    /// The sizes, ascending.
    public var capacities: [Int] { Array(Set(results.map(\.capacity))).sorted() }

    /// Whether sizes are bytes (else entries).
    public var isBytes: Bool { results.first?.unit != "entries" }

    /// The hit rate of `policy` at `capacity`, if simulated. One lookup scans the results: for
    /// every cell of a table use ``hitRateTable()``.
    public func hitRate(_ policy: String, _ capacity: Int) -> Double? {
        results.first { $0.policy == policy && $0.capacity == capacity }?.hitRate
    }

    /// Every hit rate, by policy and then size, built in one pass: the table and the chart read
    /// their cells here (a cell-by-cell scan was quadratic: 3,000 sizes took half a minute to print).
    public func hitRateTable() -> [String: [Int: Double]] {
        var table: [String: [Int: Double]] = [:]
        for row in results where table[row.policy]?[row.capacity] == nil {
            table[row.policy, default: [:]][row.capacity] = row.hitRate
        }
        return table
    }

    /// A size as the table prints it: `20 MB` or `1,000`.
    public func capacityLabel(_ capacity: Int) -> String {
        isBytes ? SimulationCapacity.megabytesLabel(capacity) + " MB" : ThousandsSeparator.format(capacity)
    }
}
