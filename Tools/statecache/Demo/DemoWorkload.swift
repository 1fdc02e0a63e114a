import Workload
import CacheCore
import Dispatch
import Foundation
import StateCache
import StateCacheThreaded

/// The demo's workload: threads with a connection each, Zipf-skewed loads, a few percent of
/// writes, every load timed.
struct DemoWorkload: Codable, Sendable {
    /// Threads, each with its own connection.
    var threads = 4
    /// How long to run, in seconds.
    var seconds = 30.0
    /// Zipf exponent of the object popularity.
    var zipfExponent = 0.9
    /// Share of transactions that write (1–3 objects).
    var writeFraction = 0.03
    /// Loads per transaction (between polls).
    var loadsPerTransaction = 20
    /// Seed of the random choices.
    var seed: UInt64 = 42

    /// What one run measured.
    struct Result: Codable, Sendable {
        /// Every load of every thread.
        var all = HitTally()
        var commits = 0
        var conflicts = 0
        var seconds = 0.0
        /// The first 10% of each thread's loads, to show warm-up.
        var firstTenth = HitTally()
        /// Each thread's first 5,000 loads: the warm-up a restart pays.
        var warmUp = HitTally()
        /// The last half of each thread's loads: the steady state.
        var lastHalf = HitTally()
        var medianLoadMicroseconds = 0.0
        var p99LoadMicroseconds = 0.0
    }

    /// Each thread's first loads counted as the warm-up.
    static let warmUpLoadsPerThread = 5_000

    /// Runs the workload against `db` over the objects `oids` (most popular first).
    func run(db: Database, oids: [ObjectID], progress: (@Sendable (Int, Int) -> Void)?) throws -> Result {
        let zipf = ZipfDistribution(count: oids.count, exponent: zipfExponent)
        let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(seconds * 1e9)
        let start = DispatchTime.now().uptimeNanoseconds
        let perThread = Locked<[(Result, [UInt32], [Bool])]>([])
        let failures = Locked<[String]>([])
        DispatchQueue.concurrentPerform(iterations: threads) { thread in
            do {
                var generator = SplitMix64(seed: seed &* 31 &+ UInt64(thread))
                let connection = try db.connect()
                defer { connection.close() }
                var result = Result()
                var latencies: [UInt32] = []
                var hitFlags: [Bool] = []
                latencies.reserveCapacity(1 << 20)
                while DispatchTime.now().uptimeNanoseconds < deadline {
                    try connection.poll()
                    for _ in 0..<loadsPerTransaction {
                        let oid = oids[zipf.next(using: &generator)]
                        let hitsBefore = connection.stats.hits
                        let began = DispatchTime.now().uptimeNanoseconds
                        _ = try connection.load(oid)
                        let took = DispatchTime.now().uptimeNanoseconds - began
                        latencies.append(UInt32(min(took, UInt64(UInt32.max))))
                        hitFlags.append(connection.stats.hits > hitsBefore)
                    }
                    if Double(generator.next() % 10_000) / 10_000 < writeFraction {
                        try connection.storeZipfWrites(oids, zipf: zipf, generator: &generator)
                        do {
                            try connection.commit()
                            result.commits += 1
                        } catch StorageError.Code.conflict {
                            result.conflicts += 1
                        }
                    }
                    if thread == 0, let progress {  // thread 0's share, scaled: an estimate for the progress line
                        progress(connection.stats.loads * threads, connection.stats.hits * threads)
                    }
                }
                result.all = HitTally(loads: connection.stats.loads, hits: connection.stats.hits)
                perThread.withLock { $0.append((result, latencies, hitFlags)) }
            } catch {
                failures.withLock { $0.append("thread \(thread): \(error)") }
            }
        }
        if let failure = failures.withLock({ $0.first }) { throw DemoError(failure) }
        var total = Result()
        var latencies: [UInt32] = []
        for (result, threadLatencies, flags) in perThread.withLock({ $0 }) {
            total.all.add(result.all)
            total.commits += result.commits
            total.conflicts += result.conflicts
            latencies += threadLatencies
            total.warmUp.add(flags.prefix(DemoWorkload.warmUpLoadsPerThread))
            total.firstTenth.add(flags.prefix(max(1, flags.count / 10)))
            total.lastHalf.add(flags.suffix(flags.count - flags.count / 2))
        }
        total.seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        latencies.sort()
        if !latencies.isEmpty {
            total.medianLoadMicroseconds = Double(latencies[latencies.count / 2]) / 1000
            total.p99LoadMicroseconds = Double(latencies[min(latencies.count - 1, latencies.count * 99 / 100)]) / 1000
        }
        return total
    }
}

/// A demo step that failed, with what to tell the user.
struct DemoError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
