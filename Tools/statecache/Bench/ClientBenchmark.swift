import CacheCore
import Foundation
import StateCache
import StateCacheThreaded

/// `statecache bench client`: the async client against the threaded API, side by side.
///
/// - **Lateness**: another process (`statecache hold-write-lock`) holds SQLite's write lock for
///   2 s while 8 tasks commit; a task that sleeps 5 ms at a time records how late it wakes.
///   Through the client the commits wait on connection threads; the baseline is the same
///   commits on `Connection`s called straight from tasks, which block cooperative threads.
/// - **Loads**: T tasks each lease a connection (`withConnection`: lease, poll, 20 loads) over
///   and over, against T plain threads each polling its own `Connection` and doing the same 20
///   loads; once with every object cached (hits) and once with the cache off (every load a
///   SQLite read). The pool has at most 16 connections; the baseline one per thread. Three
///   rounds each, alternating which side goes first; the medians are reported.
enum ClientBenchmark: BenchmarkGroup {
    static let name = "client"
    static let summary = "async client vs threads: a sleeper's lateness under a held SQLite write lock; loads/s at 1-64 tasks"

    static let loadsPerLease = 20

    static func run(_ context: BenchmarkContext) throws -> [BenchmarkRow] {
        let scratch = try BenchScratch(name)
        defer { scratch.remove() }
        var rows = try blocking { try await lateness(in: scratch.url.appendingPathComponent("lock"), quick: context.quick) }
        for cached in [true, false] {
            rows += try loadRows(in: scratch.url.appendingPathComponent(cached ? "hits" : "misses"), cached: cached,
                                 quick: context.quick)
        }
        return rows
    }

    // MARK: - Lateness

    static func lateness(in directory: URL, quick: Bool) async throws -> [BenchmarkRow] {
        let database = directory.appendingPathComponent("db")
        let client = try await StateCacheClient.open(.sqlite(directory: database), pool: PoolConfiguration(maximumConnections: 16))
        let oids = try await client.newOIDs(count: 64)
        let viaClient = try await heldLock(database) {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (index, oid) in oids.prefix(8).enumerated() {
                    group.addTask { try await client.withTransaction { try $0.store(oid, [UInt8(index)], expecting: nil) } }
                }
                try await group.waitForAll()
            }
        }
        try await client.close()
        // The baseline: the same commits, blocking the tasks' (cooperative) threads.
        let db = try Database.open(at: database)
        let connections = try (0..<8).map { _ in try db.connect() }
        defer { connections.forEach { $0.close() }; try? db.close() }
        let blocked = try await heldLock(database) {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (index, connection) in connections.enumerated() {
                    let oid = oids[8 + index]
                    group.addTask {
                        try connection.poll()
                        connection.store(oid, [UInt8(index)], expecting: nil)
                        try connection.commit()
                    }
                }
                try await group.waitForAll()
            }
        }
        return [BenchmarkRow(group: name, name: "sleeper lateness, 8 commits wait 2 s for the write lock", value: viaClient.milliseconds,
                             unit: "ms (worst)", baseline: "Connection calls in tasks", baselineValue: blocked.milliseconds)]
    }

    /// Runs `commits` while another process holds the write lock of the database in `directory`
    /// for 2 s, with a sleeper task beside it; returns the sleeper's worst lateness.
    static func heldLock(_ directory: URL, _ commits: @escaping @Sendable () async throws -> Void) async throws -> Duration {
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        holder.arguments = ["hold-write-lock", directory.appendingPathComponent("objects.sqlite3").path, "2"]
        let output = Pipe()
        holder.standardOutput = output
        try holder.run()
        _ = output.fileHandleForReading.availableData  // "locked"
        let worst = try await withThrowingTaskGroup(of: Duration.self) { group in
            group.addTask {
                try await commits()
                return .zero
            }
            group.addTask {
                var worst = Duration.zero
                let clock = ContinuousClock()
                let end = clock.now + .milliseconds(2300)
                while clock.now < end {
                    let start = clock.now
                    try await Task.sleep(for: .milliseconds(5))
                    worst = max(worst, clock.now - start - .milliseconds(5))
                }
                return worst
            }
            return try await group.reduce(.zero) { max($0, $1) }
        }
        holder.waitUntilExit()
        return worst
    }

    // MARK: - Loads

    static func loadRows(in directory: URL, cached: Bool, quick: Bool) throws -> [BenchmarkRow] {
        var options = DatabaseOptions()
        options.cache.cacheLocalMB = cached ? 50 : 0
        let objectCount = 2_000
        let db = try Database.open(at: directory, options: options)
        let writer = try db.connect()
        try writer.poll()
        let oids = try db.newOIDs(count: objectCount)
        for oid in oids { writer.store(oid, [UInt8](repeating: 0x42, count: 200), expecting: nil) }
        try writer.commit()
        try writer.poll()
        for oid in oids { _ = try writer.load(oid) }  // warm (the cache, or SQLite's pages)
        writer.close()
        let seconds = quick ? 0.3 : 1.0
        let rounds = quick ? 1 : 3
        var rows: [BenchmarkRow] = []
        for tasks in [1, 2, 8, 64] {
            // Rounds alternate which side runs first; the row reports the medians.
            var threaded: [Double] = [], pooled: [Double] = []
            for round in 0..<rounds {
                if round % 2 == 1 { pooled.append(try blocking { try await pooledLoads(db, oids: oids, tasks: tasks, seconds: seconds) }) }
                threaded.append(try threadedLoads(db, oids: oids, threads: tasks, seconds: seconds))
                if round % 2 == 0 { pooled.append(try blocking { try await pooledLoads(db, oids: oids, tasks: tasks, seconds: seconds) }) }
            }
            rows.append(BenchmarkRow(group: name, name: "\(cached ? "cache hits" : "SQLite misses"), \(tasks) task\(tasks == 1 ? "" : "s")",
                                     value: median(pooled), unit: "loads/s",
                                     baseline: "\(tasks) thread\(tasks == 1 ? "" : "s") with a Connection each",
                                     baselineValue: median(threaded), notes: ["rounds": Double(rounds)]))
        }
        try db.close()
        return rows
    }

    static func threadedLoads(_ db: Database, oids: [ObjectID], threads: Int, seconds: Double) throws -> Double {
        let connections = try (0..<threads).map { _ in try db.connect() }
        defer { connections.forEach { $0.close() } }
        let total = Locked(0)
        let failure = Locked<(any Error)?>(nil)
        let group = DispatchGroup()
        let end = DispatchTime.now().uptimeNanoseconds + UInt64(seconds * 1e9)
        let start = DispatchTime.now().uptimeNanoseconds
        for (index, connection) in connections.enumerated() {
            group.enter()
            Thread {
                var generator = SplitMix64(seed: UInt64(index + 1))
                var loads = 0
                do {
                    while DispatchTime.now().uptimeNanoseconds < end {
                        try connection.poll()
                        for _ in 0..<loadsPerLease { _ = try connection.load(oids[Int(generator.next() % UInt64(oids.count))]) }
                        loads += loadsPerLease
                    }
                } catch {
                    failure.withLock { $0 = error }
                }
                total.withLock { $0 += loads }
                group.leave()
            }.start()
        }
        group.wait()
        if let error = failure.withLock({ $0 }) { throw error }
        return Double(total.withLock { $0 }) / (Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    }

    static func pooledLoads(_ db: Database, oids: [ObjectID], tasks: Int, seconds: Double) async throws -> Double {
        let client = try StateCacheClient(database: db, pool: PoolConfiguration(maximumConnections: min(tasks, 16)))
        let clock = ContinuousClock()
        let start = clock.now
        let end = start + .seconds(seconds)
        let total = try await withThrowingTaskGroup(of: Int.self) { group in
            for index in 0..<tasks {
                group.addTask {
                    var generator = SplitMix64(seed: UInt64(index + 1))
                    var loads = 0
                    while clock.now < end {
                        try await client.withConnection { connection in
                            for _ in 0..<loadsPerLease { _ = try await connection.load(oids[Int(generator.next() % UInt64(oids.count))]) }
                        }
                        loads += loadsPerLease
                    }
                    return loads
                }
            }
            return try await group.reduce(0, +)
        }
        let elapsed = clock.now - start
        try await client.close(closingDatabase: false)
        return Double(total) / elapsed.seconds
    }

    static func median(_ values: [Double]) -> Double {
        values.sorted()[values.count / 2]
    }

    /// Runs `body` from this (non-cooperative) thread and waits for it.
    static func blocking<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
        let result = Locked<Result<T, any Error>?>(nil)
        let done = DispatchSemaphore(value: 0)
        Task {
            let outcome: Result<T, any Error>
            do { outcome = .success(try await body()) } catch { outcome = .failure(error) }
            result.withLock { $0 = outcome }
            done.signal()
        }
        done.wait()
        return try result.withLock { $0! }.get()
    }
}

extension Duration {
    var milliseconds: Double { seconds * 1000 }
}
