import Workload
import CacheAnalysis
import CacheCore
import Foundation
import StateCache
import StateCacheThreaded

/// `statecache bench fidelity`: does `cache-simul` predict what the cache really does at other
/// sizes?
///
/// One workload — a single thread (so the sequence of loads is the same every run), Zipf(0.9)
/// loads over objects of 100 B – 16 KiB, 3% of transactions writing 1–3 objects — runs through
/// a `Database` with tracing on at the *recorded* size. The trace is then simulated with
/// `wtinylfu` and the cache's own shard layout (`--shards auto`) at that size and three others,
/// and the same workload really runs at each of them (a fresh process-wide cache each time).
/// Each row is the simulated hit rate against the real one; the target is 1 percentage point.
enum FidelityBenchmark: BenchmarkGroup {
    static let name = "fidelity"
    static let summary = "cache-simul's hit rate from one recorded trace vs the real cache re-run at 4 sizes"

    /// The sizes, as multiples of the recorded size.
    static let factors: [Double] = [0.25, 0.5, 1, 2]

    static func run(_ context: BenchmarkContext) throws -> [BenchmarkRow] {
        let objectCount = context.quick ? 4_000 : 30_000
        let transactions = context.quick ? 2_000 : 20_000
        let scratch = try BenchScratch(name)
        defer { scratch.remove() }
        let root = scratch.url
        let location = StorageLocation.sqlite(directory: root.appendingPathComponent("database"))
        let (oids, bytes) = try fill(location, count: objectCount)
        // The recorded size holds about a tenth of the data.
        let recordedMB = (Double(bytes) / 10 / 1e6 * 100).rounded() / 100
        let trace = root.appendingPathComponent("recorded.trace")

        let recorded = try runWorkload(location, oids: oids, transactions: transactions, cacheMB: recordedMB, trace: trace)
        let (stream, _, readError) = try OperationStream.decode(path: trace.path)
        if let readError { throw BenchmarkFailure("the recorded trace did not read back: \(readError)") }
        var settings = SimulationSettings()
        settings.shards = .automatic
        let sizes = factors.map { recordedMB * $0 }
        let simulated = SimulationSweep.run(stream, policies: [.wtinylfu], capacities: sizes.map { .megabytes($0) },
                                            settings: settings)
        var rows: [BenchmarkRow] = []
        for (index, size) in sizes.enumerated() {
            let real = size == recordedMB ? recorded
                : try runWorkload(location, oids: oids, transactions: transactions, cacheMB: size, trace: nil)
            let predicted = simulated[index].hitRate
            rows.append(BenchmarkRow(group: name, name: String(format: "%.2f MB%@", size, size == recordedMB ? " (recorded)" : ""),
                                     value: predicted, unit: "% simulated", baseline: "% real hit rate", baselineValue: real,
                                     notes: ["differencePoints": predicted - real, "targetPoints": 1,
                                             "loads": Double(stream.count)]))
        }
        return rows
    }

    /// A new database of `count` objects of skewed sizes; their OIDs, most popular first, and
    /// the bytes of state.
    private static func fill(_ location: StorageLocation, count: Int) throws -> ([ObjectID], Int) {
        var options = DatabaseOptions()
        options.cache.cacheLocalMB = 0
        let db = try Database.open(location, options: options)
        defer { try? db.close() }
        let connection = try db.connect()
        defer { connection.close() }
        try connection.poll()
        var generator = SplitMix64(seed: 7)
        let sizes = ObjectSizeDistribution()
        var oids: [ObjectID] = []
        var bytes = 0
        while oids.count < count {
            for oid in try db.newOIDs(count: min(2_000, count - oids.count)) {
                let size = sizes.next(using: &generator)
                connection.store(oid, [UInt8](repeating: UInt8(truncatingIfNeeded: oid.rawValue), count: size), expecting: nil)
                oids.append(oid)
                bytes += size
            }
            try connection.commit()
        }
        oids.shuffle(using: &generator) // popularity not correlated with OIDs
        return (oids, bytes)
    }

    /// The workload once, from a cold cache of `cacheMB`; the real hit rate in percent.
    private static func runWorkload(_ location: StorageLocation, oids: [ObjectID], transactions: Int, cacheMB: Double,
                                    trace: URL?) throws -> Double {
        var options = DatabaseOptions()
        options.cache.cacheLocalMB = cacheMB
        options.cacheTraceFile = trace
        let db = try Database.open(location, options: options)
        defer { try? db.close() }
        let connection = try db.connect()
        defer { connection.close() }
        var generator = SplitMix64(seed: 42)
        let zipf = ZipfDistribution(count: oids.count, exponent: 0.9)
        for _ in 0..<transactions {
            try connection.poll()
            for _ in 0..<20 { _ = try connection.load(oids[zipf.next(using: &generator)]) }
            if generator.next() % 100 < 3 {
                try connection.storeZipfWrites(oids, zipf: zipf, generator: &generator)
                try connection.commit()
            }
        }
        return 100 * connection.stats.hitRate
    }
}
