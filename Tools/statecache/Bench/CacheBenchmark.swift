import CacheCore
import Dispatch
import Foundation

/// `statecache bench cache`: the shared cache's throughput against a bare `Dictionary`.
///
/// Workloads (design §3, issue 2): `set` (fresh keys into a cache that holds them all),
/// `get-hit` (keys known to be present), and `mixed-zipf` — Zipf(0.9) over 500,000 keys, 90%
/// gets and a set after each miss plus 10% sets, the cache holding about 20% of the bytes — with
/// 256 B and 2 KiB states, on 1 and 2 threads. The baseline is a bare
/// `Dictionary<CacheKey, [UInt8]>` replaying exactly the same gets and sets on one thread (no
/// bound, no policy, no lock): the ratio is the price of the policy and the locking. A
/// one-shard cache with 2 threads shows what a single lock would do.
enum CacheBenchmark: BenchmarkGroup {
    static let name = "cache"
    static let summary = "shared W-TinyLFU cache vs bare Dictionary"

    static let keyCount = 500_000
    static let zipfExponent = 0.9

    static func run(quick: Bool) throws -> [BenchmarkRow] {
        let operations = quick ? 300_000 : 3_000_000
        let zipf = ZipfDistribution(count: keyCount, exponent: zipfExponent)
        var rows: [BenchmarkRow] = []
        for size in [256, 2048] {
            let value = [UInt8](repeating: 0xAB, count: size)
            let label = size == 256 ? "256B" : "2KiB"
            // One key sequence per thread (and a third to warm caches), drawn before timing.
            let sequences: [[CacheKey]] = (0..<3).map { thread in
                var generator = SplitMix64(seed: 1000 + UInt64(thread))
                return (0..<operations).map { _ in key(zipf.next(using: &generator)) }
            }
            let writes: [[Bool]] = (0..<3).map { thread in
                var generator = SplitMix64(seed: 2000 + UInt64(thread))
                return (0..<operations).map { _ in generator.next() % 10 == 0 }
            }

            // set and get-hit, one thread, a cache large enough to hold every key.
            let fresh = (0..<min(operations, keyCount)).map { key($0) }
            let roomy = makeCache(capacity: Int(Double(fresh.count * (size + CacheOptions.entryOverhead)) * 1.5), shards: nil)
            let setRate = measure(fresh.count) { for k in fresh { roomy.set(k, CachedState(actualTID: .zero, state: value)) } }
            var dictionary: [CacheKey: [UInt8]] = [:]
            let dictionarySetRate = measure(fresh.count) { for k in fresh { dictionary[k] = value } }
            rows.append(BenchmarkRow(group: name, name: "set \(label) 1 thread", value: setRate, unit: "ops/s",
                                     baseline: "Dictionary set", baselineValue: dictionarySetRate))
            var found = 0
            let getRate = measure(fresh.count) { for k in fresh where roomy.get(k) != nil { found += 1 } }
            var dictionaryFound = 0
            let dictionaryGetRate = measure(fresh.count) { for k in fresh where dictionary[k] != nil { dictionaryFound += 1 } }
            precondition(found == fresh.count && dictionaryFound == fresh.count)
            rows.append(BenchmarkRow(group: name, name: "get-hit \(label) 1 thread", value: getRate, unit: "ops/s",
                                     baseline: "Dictionary get", baselineValue: dictionaryGetRate))
            dictionary = [:]

            // mixed Zipf: the cache holds ~20% of all keys' bytes.
            let capacity = keyCount * (size + CacheOptions.entryOverhead) / 5
            let single = makeCache(capacity: capacity, shards: nil)
            warm(single, sequences[2], writes[2], value)
            var performed: [Bool] = []  // whether each operation set, so the Dictionary replays the same work
            performed.reserveCapacity(operations)
            let mixedRate = measure(operations) {
                for (k, write) in zip(sequences[0], writes[0]) {
                    if write || single.get(k) == nil {
                        single.set(k, CachedState(actualTID: .zero, state: value))
                        performed.append(true)
                    } else {
                        performed.append(false)
                    }
                }
            }
            let hitRate = single.statistics.hitRate
            var replay: [CacheKey: [UInt8]] = [:]
            let replayRate = measure(operations) {
                for (k, set) in zip(sequences[0], performed) {
                    if set { replay[k] = value } else if replay[k] == nil { replay[k] = value }
                }
            }
            rows.append(BenchmarkRow(group: name, name: "mixed-zipf \(label) 1 thread", value: mixedRate, unit: "ops/s",
                                     baseline: "Dictionary 1 thread", baselineValue: replayRate,
                                     notes: ["hit_rate": hitRate, "shards": Double(single.shardCount)]))

            for (shards, title) in [(nil as Int?, "sharded"), (1, "one lock")] {
                let shared = makeCache(capacity: capacity, shards: shards)
                warm(shared, sequences[2], writes[2], value)
                let (twoRate, coresUsed) = measureThreads(operations: operations) { thread in
                    for (k, write) in zip(sequences[thread], writes[thread]) where write || shared.get(k) == nil {
                        shared.set(k, CachedState(actualTID: .zero, state: value))
                    }
                }
                rows.append(BenchmarkRow(group: name, name: "mixed-zipf \(label) 2 threads (\(title))", value: twoRate,
                                         unit: "ops/s", baseline: "this cache 1 thread", baselineValue: mixedRate,
                                         notes: ["hit_rate": shared.statistics.hitRate, "shards": Double(shared.shardCount),
                                                 "vs_dictionary": twoRate / replayRate, "cores_used": coresUsed]))
            }
        }
        if let overhead = EntryOverheadProbe.measure(entries: quick ? 50_000 : 200_000) {
            rows.append(BenchmarkRow(group: name, name: "per-entry overhead (measured)", value: overhead, unit: "bytes",
                                     baseline: "CacheOptions.entryOverhead", baselineValue: Double(CacheOptions.entryOverhead)))
        }
        return rows
    }

    /// Runs the warm-up sequence so that measured runs start from a steady cache.
    static func warm(_ cache: SharedStateCache, _ keys: [CacheKey], _ writes: [Bool], _ value: [UInt8]) {
        for (k, write) in zip(keys, writes) where write || cache.get(k) == nil {
            cache.set(k, CachedState(actualTID: .zero, state: value))
        }
    }

    static func key(_ rank: Int) -> CacheKey {
        CacheKey(oid: ObjectID(UInt64(rank)), tid: TransactionID(1))
    }

    static func makeCache(capacity: Int, shards: Int?) -> SharedStateCache {
        var options = CacheOptions()
        options.cacheLocalMB = Double(capacity) / 1_000_000
        options.shardCount = shards
        options.seed = 7
        return SharedStateCache(options: options)
    }

    /// Operations per second of `body`, which performs `count` operations.
    static func measure(_ count: Int, _ body: () -> Void) -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        body()
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        return Double(count) / elapsed
    }

    /// Total operations per second of two threads each performing `operations`, and the
    /// cores the process really got meanwhile (CPU seconds ÷ wall seconds: below 2 when other
    /// processes took a core, which caps any scaling figure on a shared machine).
    static func measureThreads(operations: Int, _ body: @Sendable (Int) -> Void) -> (rate: Double, coresUsed: Double) {
        let cpuStart = processCPUSeconds()
        let start = DispatchTime.now().uptimeNanoseconds
        DispatchQueue.concurrentPerform(iterations: 2) { thread in body(thread) }
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        return (Double(2 * operations) / elapsed, (processCPUSeconds() - cpuStart) / elapsed)
    }

    /// User + system CPU time of this process so far.
    static func processCPUSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
            + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }
}
