import Workload
import CacheCore
import Dispatch
import Foundation
import Synchronization

/// `statecache bench cache`: the shared cache's throughput against a bare `Dictionary`.
///
/// Workloads (`docs/cache.md`, issue 2): `set` (fresh keys into a cache that holds them all),
/// `get-hit` (keys known to be present; once testing presence only, as `Dictionary`'s
/// `dictionary[k] != nil` does without touching the value, and once reading each state's
/// length, as a caller uses what it gets; both in insertion order, then the state read again with
/// the keys in Zipf order, as a workload reads them), and `mixed-zipf` — Zipf(0.9) over 500,000 keys, 90%
/// gets and a set after each miss plus 10% sets, the cache holding about 20% of the bytes — with
/// 256 B and 2 KiB states, on 1 and 2 threads. The baseline is a bare
/// `Dictionary<CacheKey, [UInt8]>` replaying exactly the same gets and sets on one thread (no
/// bound, no policy, no lock): the ratio is the price of the policy and the locking. A
/// one-shard cache with 2 threads shows what a single lock would do, and two threads each on
/// a cache of its own show what this machine allows at that moment: the ceiling the shared
/// cache's two-thread ratio is read against. `read-mostly` is reads on 2 threads against 1 over
/// the same Zipf keys in a cache that holds them all, where 1 operation in 100 is a set (plus
/// the set that fills a first miss): the hit path side by side with itself.
enum CacheBenchmark: BenchmarkGroup {
    static let name = "cache"
    static let summary = "shared W-TinyLFU cache vs bare Dictionary"

    static let keyCount = 500_000
    static let zipfExponent = 0.9

    static func run(_ context: BenchmarkContext) throws -> [BenchmarkRow] {
        let quick = context.quick
        let operations = quick ? 300_000 : 3_000_000
        let zipf = ZipfDistribution(count: keyCount, exponent: zipfExponent)
        var rows: [BenchmarkRow] = []
        for size in [256, 2048] {
            let label = size == 256 ? "256B" : "2KiB"
            // Each object has its own state, as states loaded from a database do: a cache hit
            // hands out a reference to that object's buffer, so two threads share a buffer
            // only when they read the same object (one shared buffer for every key would make
            // every hit on every thread count references on the same cache line).
            let values: [[UInt8]] = (0..<keyCount).map { rank in
                [UInt8](repeating: UInt8(truncatingIfNeeded: rank), count: size)
            }
            // One key sequence per thread (and a third to warm caches), drawn before timing.
            let ranks: [[Int]] = (0..<3).map { thread in
                var generator = SplitMix64(seed: 1000 + UInt64(thread))
                return (0..<operations).map { _ in zipf.next(using: &generator) }
            }
            let writes: [[Bool]] = (0..<3).map { thread in
                var generator = SplitMix64(seed: 2000 + UInt64(thread))
                return (0..<operations).map { _ in generator.next() % 10 == 0 }
            }
            let rareWrites: [[Bool]] = (0..<3).map { thread in
                var generator = SplitMix64(seed: 3000 + UInt64(thread))
                return (0..<operations).map { _ in generator.next() % 100 == 0 }
            }

            // set and get-hit, one thread, a cache large enough to hold every key.
            let freshRanks = 0..<min(operations, keyCount)
            let fresh = freshRanks.map { key($0) }
            let roomy = makeCache(capacity: Int(Double(fresh.count * (size + CacheOptions.entryOverhead)) * 1.5), shards: nil)
            let setRate = measure(fresh.count) { for k in freshRanks { roomy.set(key(k), ObjectState(state: values[k], tid: .zero)) } }
            var dictionary: [CacheKey: [UInt8]] = [:]
            let dictionarySetRate = measure(fresh.count) { for k in freshRanks { dictionary[key(k)] = values[k] } }
            rows.append(BenchmarkRow(group: name, name: "set \(label) 1 thread", value: setRate, unit: "ops/s",
                                     baseline: "Dictionary set", baselineValue: dictionarySetRate))
            var found = 0
            let getRate = measure(fresh.count) { for k in fresh where roomy.get(k) != nil { found += 1 } }
            var dictionaryFound = 0
            let dictionaryGetRate = measure(fresh.count) { for k in fresh where dictionary[k] != nil { dictionaryFound += 1 } }
            precondition(found == fresh.count && dictionaryFound == fresh.count)
            rows.append(BenchmarkRow(group: name, name: "get-hit \(label) 1 thread", value: getRate, unit: "ops/s",
                                     baseline: "Dictionary get", baselineValue: dictionaryGetRate))
            // The same hits, each reading the state it got (its length): a caller always uses
            // the state, and `dictionary[k] != nil` above never touches the value, so that
            // baseline is one memory access per key where any cache hit needs the value too.
            var ourBytes = 0
            let getReadRate = measure(fresh.count) { for k in fresh { if let hit = roomy.get(k) { ourBytes &+= hit.state.count } } }
            var dictionaryBytes = 0
            let dictionaryGetReadRate = measure(fresh.count) { for k in fresh { if let state = dictionary[k] { dictionaryBytes &+= state.count } } }
            precondition(ourBytes == dictionaryBytes && ourBytes == fresh.count * size)
            rows.append(BenchmarkRow(group: name, name: "get-hit \(label) 1 thread, state read", value: getReadRate, unit: "ops/s",
                                     baseline: "Dictionary get, state read", baselineValue: dictionaryGetReadRate))
            // The same present keys read in Zipf order, as a workload reads them: the rows above
            // read keys in insertion order, so both sides find their entries in address order,
            // which the hardware prefetcher follows; here the hot keys repeat and the cold ones
            // are scattered, as in a real cache.
            let zipfKeys = ranks[0].lazy.filter { $0 < fresh.count }.map { key($0) }
            let zipfOrder = Array(zipfKeys)
            var zipfBytes = 0
            let zipfGetRate = measure(zipfOrder.count) { for k in zipfOrder { if let hit = roomy.get(k) { zipfBytes &+= hit.state.count } } }
            var dictionaryZipfBytes = 0
            let dictionaryZipfRate = measure(zipfOrder.count) {
                for k in zipfOrder { if let state = dictionary[k] { dictionaryZipfBytes &+= state.count } }
            }
            precondition(zipfBytes == dictionaryZipfBytes && zipfBytes == zipfOrder.count * size)
            rows.append(BenchmarkRow(group: name, name: "get-hit Zipf \(label) 1 thread, state read", value: zipfGetRate, unit: "ops/s",
                                     baseline: "Dictionary get, state read", baselineValue: dictionaryZipfRate))
            dictionary = [:]

            // Reads on 2 threads over a read-mostly workload: the cache holds every key.
            let readMostly = makeCache(capacity: keyCount * (size + CacheOptions.entryOverhead) * 3 / 2, shards: nil)
            warm(readMostly, ranks[2], rareWrites[2], values)
            let reads = measureScaling(operations: operations, rounds: quick ? 2 : 15) { thread, range in
                for position in range where rareWrites[thread][position] || readMostly.get(key(ranks[thread][position])) == nil {
                    let rank = ranks[thread][position]
                    readMostly.set(key(rank), ObjectState(state: values[rank], tid: .zero))
                }
            }
            var readNotes = ["hit_rate": readMostly.statistics.hitRate, "shards": Double(readMostly.shardCount),
                             "cores_used": reads.coresUsed, "rounds": Double(reads.rounds),
                             "round_ratio_min": reads.ratioRange.lowerBound, "round_ratio_max": reads.ratioRange.upperBound,
                             "cpu_ratio": reads.cpuRatio]
            readNotes["host_steal"] = reads.hostSteal
            rows.append(BenchmarkRow(group: name, name: "read-mostly Zipf \(label) 2 threads", value: reads.twoThreads,
                                     unit: "ops/s", baseline: "this cache 1 thread, interleaved", baselineValue: reads.oneThread,
                                     notes: readNotes))

            // mixed Zipf: the cache holds ~20% of all keys' bytes.
            let capacity = keyCount * (size + CacheOptions.entryOverhead) / 5
            let single = makeCache(capacity: capacity, shards: nil)
            warm(single, ranks[2], writes[2], values)
            var performed: [Bool] = []  // whether each operation set, so the Dictionary replays the same work
            performed.reserveCapacity(operations)
            let mixedRate = measure(operations) {
                for (rank, write) in zip(ranks[0], writes[0]) {
                    let k = key(rank)
                    if write || single.get(k) == nil {
                        single.set(k, ObjectState(state: values[rank], tid: .zero))
                        performed.append(true)
                    } else {
                        performed.append(false)
                    }
                }
            }
            let hitRate = single.statistics.hitRate
            var replay: [CacheKey: [UInt8]] = [:]
            let replayRate = measure(operations) {
                for (rank, set) in zip(ranks[0], performed) {
                    let k = key(rank)
                    if set { replay[k] = values[rank] } else if replay[k] == nil { replay[k] = values[rank] }
                }
            }
            rows.append(BenchmarkRow(group: name, name: "mixed-zipf \(label) 1 thread", value: mixedRate, unit: "ops/s",
                                     baseline: "Dictionary 1 thread", baselineValue: replayRate,
                                     notes: ["hit_rate": hitRate, "shards": Double(single.shardCount)]))

            // The shared cache (sharded, then behind one lock), and the machine's ceiling for
            // the same work: each thread on a cache of its own, nothing shared but the hardware.
            let variants: [(shards: Int?, caches: Int, title: String)] = [
                (nil, 1, "sharded"), (1, 1, "one lock"), (nil, 2, "private caches, the ceiling"),
            ]
            for variant in variants {
                let caches = (0 ..< variant.caches).map { _ in makeCache(capacity: capacity, shards: variant.shards) }
                for cache in caches { warm(cache, ranks[2], writes[2], values) }
                let scaling = measureScaling(operations: operations, rounds: quick ? 2 : 15) { thread, range in
                    let cache = caches[thread % caches.count]
                    for position in range where writes[thread][position] || cache.get(key(ranks[thread][position])) == nil {
                        let rank = ranks[thread][position]
                        cache.set(key(rank), ObjectState(state: values[rank], tid: .zero))
                    }
                }
                let hitRate = caches.map(\.statistics.hitRate).reduce(0, +) / Double(caches.count)
                var notes = ["hit_rate": hitRate, "shards": Double(caches[0].shardCount),
                             "vs_dictionary": scaling.twoThreads / replayRate,
                             "cores_used": scaling.coresUsed, "rounds": Double(scaling.rounds),
                             "round_ratio_min": scaling.ratioRange.lowerBound,
                             "round_ratio_max": scaling.ratioRange.upperBound,
                             "left_when_first_finished": scaling.leftWhenFirstFinished,
                             "cpu_ratio": scaling.cpuRatio]
                notes["host_steal"] = scaling.hostSteal
                rows.append(BenchmarkRow(group: name, name: "mixed-zipf \(label) 2 threads (\(variant.title))", value: scaling.twoThreads,
                                         unit: "ops/s", baseline: "this cache 1 thread, interleaved", baselineValue: scaling.oneThread,
                                         notes: notes))
            }
        }
        if let overhead = EntryOverheadProbe.measure(entries: quick ? 50_000 : 200_000) {
            rows.append(BenchmarkRow(group: name, name: "per-entry overhead (measured)", value: overhead, unit: "bytes",
                                     baseline: "CacheOptions.entryOverhead", baselineValue: Double(CacheOptions.entryOverhead)))
        }
        return rows
    }

    /// Runs the warm-up sequence so that measured runs start from a steady cache.
    static func warm(_ cache: SharedStateCache, _ ranks: [Int], _ writes: [Bool], _ values: [[UInt8]]) {
        for (rank, write) in zip(ranks, writes) where write || cache.get(key(rank)) == nil {
            cache.set(key(rank), ObjectState(state: values[rank], tid: .zero))
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

    /// One thread against two on the same cache, measured in alternating slices so that the
    /// machine's drift (this one is shared, and its speed changes from second to second)
    /// weighs on both sides alike.
    struct Scaling {
        /// Operations per second of one thread, over all its slices.
        var oneThread: Double
        /// Total operations per second of two threads, over all their slices.
        var twoThreads: Double
        /// CPU seconds ÷ wall seconds during the two-thread slices (below 2 when a thread
        /// waited or the machine took a core away).
        var coresUsed: Double
        var rounds: Int
        /// The smallest and largest per-round ratio: the spread the noise causes.
        var ratioRange: ClosedRange<Double>
        /// The mean share of its slice the slower thread had left when the faster one finished:
        /// how unequal the two cores were (a thread's work is the same in every slice).
        var leftWhenFirstFinished: Double
        /// The ratio two threads would reach with both cores wholly theirs: operations per CPU
        /// second of the two-thread slices, doubled, over those of the one-thread slices. Steadier
        /// than the wall-clock ratio when the machine takes a core away (`coresUsed` well below
        /// 2), but blind to time a thread spends asleep waiting for a lock, so read it with
        /// `coresUsed`.
        var cpuRatio: Double
        /// The share of the machine's CPU time the host took during the two-thread slices
        /// (``HostStealTime``; nil off Linux): above a few percent, the run measured the host.
        var hostSteal: Double?
    }

    /// Runs `rounds` rounds, each a one-thread slice (`body(0, positions)`) and then a
    /// two-thread slice (`body(0, …)` and `body(1, …)` at once); the sequences are cut into
    /// slices of `operations / 5` positions, visited in turn, and the two-thread slice of a
    /// round is two slices further on, so no thread replays positions it has just run (their
    /// lines would still be in its core's cache).
    ///
    /// Two threads are timed while both work: each runs its slice in chunks of
    /// ``chunkOperations`` and stops when the other has finished, and the rate is the
    /// operations both performed over that time. (Timing until both finish a fixed share
    /// would count the faster core's idle wait as the cache's cost: on this shared machine one
    /// core is often a fifth slower than the other for seconds at a time.)
    static func measureScaling(operations: Int, rounds: Int,
                               _ body: @Sendable (_ thread: Int, _ positions: Range<Int>) -> Void) -> Scaling {
        let slice = max(1, operations / 5)
        var oneSeconds = 0.0, twoSeconds = 0.0, oneCPU = 0.0, twoCPU = 0.0
        var oneOperations = 0, twoOperations = 0
        var ratios: [Double] = []
        var left = 0.0
        var stolenTicks: UInt64 = 0, allTicks: UInt64 = 0, stealKnown = true
        for round in 0 ..< rounds {
            let start = (round % 5) * slice, twoStart = ((round + 2) % 5) * slice
            let oneRange = start ..< min(operations, start + slice)
            let range = twoStart ..< min(operations, twoStart + slice)
            let began = DispatchTime.now().uptimeNanoseconds
            let oneStartCPU = ProcessCPUTime.seconds()
            body(0, oneRange)
            let middle = DispatchTime.now().uptimeNanoseconds
            let cpu = ProcessCPUTime.seconds()
            oneCPU += cpu - oneStartCPU
            let race = SliceRace()
            let stealBefore = HostStealTime.now()
            DispatchQueue.concurrentPerform(iterations: 2) { thread in
                var done = 0
                for chunk in stride(from: range.lowerBound, to: range.upperBound, by: chunkOperations) {
                    if race.isOver { break }
                    let end = min(range.upperBound, chunk + chunkOperations)
                    body(thread, chunk ..< end)
                    done += end - chunk
                }
                race.finish(thread: thread, operations: done)
            }
            let ended = DispatchTime.now().uptimeNanoseconds
            twoCPU += ProcessCPUTime.seconds() - cpu
            if let before = stealBefore, let after = HostStealTime.now() {
                stolenTicks += after.stolen &- before.stolen
                allTicks += after.total &- before.total
            } else {
                stealKnown = false
            }
            let performed = race.operations, bothPerformed = performed.reduce(0, +)
            let one = Double(middle - began) / 1e9, two = Double(ended - middle) / 1e9
            oneSeconds += one
            twoSeconds += two
            oneOperations += oneRange.count
            twoOperations += bothPerformed
            ratios.append((Double(bothPerformed) / two) / (Double(oneRange.count) / one))
            left += Double(range.count - min(performed[0], performed[1])) / Double(range.count)
        }
        return Scaling(oneThread: Double(oneOperations) / oneSeconds, twoThreads: Double(twoOperations) / twoSeconds,
                       coresUsed: twoCPU / twoSeconds, rounds: rounds,
                       ratioRange: (ratios.min() ?? 0) ... (ratios.max() ?? 0),
                       leftWhenFirstFinished: left / Double(max(1, rounds)),
                       cpuRatio: 2 * (Double(twoOperations) / twoCPU) / (Double(oneOperations) / oneCPU),
                       hostSteal: stealKnown && allTicks > 0 ? Double(stolenTicks) / Double(allTicks) : nil)
    }

    /// Operations a thread runs between looks at whether the other thread has finished.
    static let chunkOperations = 2_048

    /// The two threads of a slice: the first to finish ends it for both.
    private final class SliceRace: Sendable {
        private let over = Atomic<Bool>(false)
        private let performed = Mutex<[Int]>([0, 0])

        var isOver: Bool { over.load(ordering: .acquiring) }

        func finish(thread: Int, operations: Int) {
            over.store(true, ordering: .releasing)
            performed.withLock { $0[thread] = operations }
        }

        /// The operations each thread performed (read after both finished).
        var operations: [Int] { performed.withLock { $0 } }
    }
}
