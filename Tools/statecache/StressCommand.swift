import Workload
import ArgumentParser
import Foundation
import CacheCore
import StateCache
import StateCacheThreaded

/// `statecache stress`: several processes × threads read and write one database through
/// their caches; every cached load is checked against an uncached read of the same snapshot.
struct StressCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stress",
        abstract: "Check the cache under load: processes × threads, every load verified against the database.",
        discussion: """
            Prints the number of checked loads and mismatches (which must be 0), the increments \
            committed and whether their sum matches the database (no lost update). Every state \
            names its object and the revision it was based on and carries a checksum, and every \
            load checks them. Exits 1 on any mismatch, lost update or failed (crashed) worker. \
            With --postgres the processes share a PostgreSQL database (standing in for machines); \
            each run adds a new pool of objects and checks only its own. A server that restarts or \
            ends sessions during the run is ridden out: threads reconnect, commits whose outcome is \
            unknown are settled by reading back a receipt, and the report counts both.
            """
    )

    @Option(help: "Worker processes.") var processes = 3
    @Option(help: "Threads per process.") var threads = 2
    @Option(help: "Seconds to run.") var seconds = 5.0
    @Option(help: "Objects in the pool.") var objects = 400
    @Option(help: "Cache size of each process in MB (small: many evictions).") var cacheMB = 0.2
    @Option(help: "cache-delta-size-limit (small: many checkpoint shifts).") var deltaLimit = 50
    @Option(help: "Database directory (default: a new temporary one, removed afterwards).") var dir: String?
    @Option(help: "A PostgreSQL URL or connection string to run against instead of SQLite.") var postgres: String?
    @Option(help: "Seed.") var seed: UInt64 = 1
    @Flag(help: "Print the report as JSON.") var json = false

    func run() throws {
        if postgres != nil && dir != nil { throw ValidationError("give --dir (SQLite) or --postgres, not both") }
        let directory = dir.map { URL(fileURLWithPath: $0) }
            ?? FileManager.default.temporaryDirectory.appendingPathComponent("statecache-stress-\(UUID().uuidString)")
        defer { if dir == nil && postgres == nil { try? FileManager.default.removeItem(at: directory) } }
        let location: StorageLocation = postgres.map { .postgres($0) } ?? .sqlite(directory: directory)
        let pool: [ObjectID]
        do {
            pool = try ConsistencyStress.prepare(database: location, objectCount: objects)
        } catch {
            // Before any worker started: nothing to report but why.
            FileHandle.standardError.write(Data("statecache stress: cannot start: \(error)\n".utf8))
            throw ExitCode(1)
        }
        var options = ConsistencyStress.Options()
        options.pool = postgres == nil ? [] : pool.map(\.rawValue)
        // Over PostgreSQL a session can be lost during COMMIT: receipts settle such commits.
        options.receipts = postgres != nil
        options.threads = threads
        options.seconds = seconds
        options.objectCount = objects
        options.cacheLocalMB = cacheMB
        options.cacheDeltaSizeLimit = deltaLimit
        var children: [(Process, Pipe)] = []
        for index in 0..<processes {
            var workerOptions = options
            workerOptions.seed = seed &* 7919 &+ UInt64(index)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: Self.selfPath(fallback: CommandLine.arguments[0]))
            let encoded = String(decoding: try JSONEncoder().encode(workerOptions), as: UTF8.self)
            process.arguments = ["stress-worker", "--location", postgres ?? directory.path, "--options", encoded]
            let pipe = Pipe()
            process.standardOutput = pipe
            try process.run()
            children.append((process, pipe))
        }
        var total = ConsistencyStress.Report()
        var failed = 0
        for (process, pipe) in children {
            let data = pipe.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            if process.terminationStatus != 0 { failed += 1 }
            if let report = try? JSONDecoder().decode(ConsistencyStress.Report.self, from: data) {
                total.merge(report)
            } else {
                failed += 1
            }
        }
        // The server may still be coming back from a restart at the end of the run.
        let sum: UInt64
        do {
            sum = try ReconnectingAttempt.run(for: options.reconnectSeconds, refusedConnections: true) {
                try ConsistencyStress.counterSum(database: location, pool: options.pool)
            }
        } catch {
            total.problems.append("the counters could not be summed: \(error)")
            failed += 1
            sum = UInt64(total.increments)
        }
        let lostUpdates = Int(sum) - total.increments
        let summary = ConsistencyStress.Summary(report: total, processes: processes, threads: threads, seconds: seconds,
                                                counterSum: sum, lostUpdates: lostUpdates, failedWorkers: failed)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(summary), as: UTF8.self))
        } else {
            print("stress: \(processes) processes × \(threads) threads, \(seconds) s, \(postgres == nil ? "SQLite" : "PostgreSQL")")
            print("checked loads: \(total.checkedLoads)")
            print("mismatches: \(total.mismatches)")
            print("consistency errors: \(total.consistencyErrors)")
            print("increments: \(total.increments) committed, counters sum \(sum) (lost updates: \(lostUpdates))")
            print("failed workers: \(failed), failed threads: \(total.failedThreads)")
            print("lost connections: \(total.lostConnections), reconnections: \(total.reconnections), "
                  + "commits of unknown outcome: \(total.unknownCommits) (settled: \(total.unknownCommitsLanded) landed, "
                  + "\(total.unknownCommits - total.unknownCommitsLanded) not)")
            print("conflicts: \(total.conflicts), checkpoint shifts: \(total.shifts), "
                  + "hit rate: \(Int(100 * total.views.hitRate))%")
            for problem in total.problems { print("problem: \(problem)") }
        }
        if !summary.failures.isEmpty { throw ExitCode(1) }
    }

    /// This executable's path (`/proc/self/exe` on Linux), to start workers.
    static func selfPath(fallback: String) -> String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? fallback
    }
}

/// The hidden worker `statecache stress` starts in each process.
struct StressWorkerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "stress-worker", shouldDisplay: false)

    @Option var location: String
    @Option var options: String

    func run() throws {
        let decoded = try JSONDecoder().decode(ConsistencyStress.Options.self, from: Data(options.utf8))
        let report = try ConsistencyStress.run(database: StorageLocation(parsing: location), options: decoded)
        print(String(decoding: try JSONEncoder().encode(report), as: UTF8.self))
    }
}
