import ArgumentParser
import CacheAnalysis
import CacheTrace
import Foundation
import StateCache
import StateCacheThreaded

/// `statecache demo`: the whole system on an embedded database (or, with `--postgres`, on a
/// PostgreSQL server), in one command.
///
/// Creates and fills a database, runs a multi-threaded workload through the cache with
/// tracing on (a child process), closes it (cache files written), runs the same workload in a
/// new process (cache files read: a warm start), then reads the trace with `cache-stats` and
/// prints cold against warm hit rates and load latencies, and where every file is.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run the whole system on an embedded database (or PostgreSQL) and show what the cache does."
    )

    @Option(help: "Work in this directory (default: a new temporary one, kept for inspection).") var dir: String?
    @Option(help: "An empty PostgreSQL database (URL or connection string) to use instead of SQLite.") var postgres: String?
    @Option(help: "Objects in the database.") var objects: Int?
    @Option(help: "Worker threads, each with its own connection.") var threads = 4
    @Option(help: "Seconds per run (cold and warm).") var seconds: Double?
    @Option(help: "Cache size in MB (cache-local-mb).") var cacheMb: Double?
    @Option(help: "Percent of transactions that write.") var writePercent = 3.0
    @Option(help: "Zipf exponent of object popularity.") var zipf = 0.9
    @Option(help: "Seed of every random choice.") var seed: UInt64 = 42
    @Flag(help: "A short run (about 20 seconds; used by the tests).") var quick = false
    @Flag(help: "Print a JSON summary instead of text.") var json = false

    /// The sweep's sizes, as multiples of the cache size.
    static let sweepFactors: [Double] = [0.125, 0.25, 0.5, 1, 2, 4, 8, 16]

    func run() throws {
        let root = dir.map { URL(fileURLWithPath: $0) }
            ?? FileManager.default.temporaryDirectory.appendingPathComponent("statecache-demo-\(ProcessInfo.processInfo.processIdentifier)")
        let database = DemoDatabase(root: root, postgres: postgres)
        guard postgres != nil || !FileManager.default.fileExists(atPath: database.databaseDirectory.path) else {
            throw ValidationError("\(database.databaseDirectory.path) exists; give an empty --dir")
        }
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let objectCount = objects ?? (quick ? 10_000 : 100_000)
        let runSeconds = seconds ?? (quick ? 3 : 20)
        let cacheMB = cacheMb ?? (quick ? 2 : 20)
        let terminal = isatty(STDERR_FILENO) == 1 && !json
        let out = DemoOutput(json: json)

        out.line("StateCache demo in \(root.path)")
        out.line("")
        // 1. Fill.
        let filled = try database.fill(count: objectCount, seed: seed) { written in
            if terminal { FileHandle.standardError.write(Data("\r  filling: \(ToolFormat.count(written)) / \(ToolFormat.count(objectCount)) objects".utf8)) }
        }
        if terminal { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        out.line("Database: \(database.locationDescription)")
        out.line("Contents: \(ToolFormat.count(filled.objects)) objects, \(ToolFormat.count(filled.bytes)) bytes of state "
                 + "(100 B – 16 KiB, median 400 B); cache \(cacheMB) MB")

        // 2. Cold and warm runs, each in a new process.
        var plan = DemoWorkload()
        plan.threads = threads
        plan.seconds = runSeconds
        plan.zipfExponent = zipf
        plan.writeFraction = writePercent / 100
        plan.seed = seed
        let cold = try runPhase(database, plan: plan, cacheMB: cacheMB, label: "cold run", progress: terminal)
        let warm = try runPhase(database, plan: plan, cacheMB: cacheMB, label: "warm run", progress: terminal)
        out.line("")
        out.line("Workload: \(threads) threads, Zipf(\(zipf)) loads, \(writePercent)% of transactions write, \(runSeconds) s per run")
        out.line(ToolFormat.row(["run", "loads", "hit rate", "first 20k", "first 10%", "steady", "median µs", "p99 µs"]))
        for (name, phase) in [("cold", cold.result), ("warm", warm.result)] {
            out.line(ToolFormat.row([name, ToolFormat.count(phase.all.loads), ToolFormat.percent(phase.all.hitRate),
                                     ToolFormat.percent(phase.warmUp.hitRate),
                                     ToolFormat.percent(phase.firstTenth.hitRate), ToolFormat.percent(phase.lastHalf.hitRate),
                                     String(format: "%.1f", phase.medianLoadMicroseconds),
                                     String(format: "%.1f", phase.p99LoadMicroseconds)]))
        }
        let warmStart = cold.result.lastHalf.hitRate == 0 ? 0 : warm.result.firstTenth.hitRate / cold.result.lastHalf.hitRate
        let warmUpLoads = ToolFormat.count(threads * DemoWorkload.warmUpLoadsPerThread)
        let steady = max(cold.result.lastHalf.hitRate, 1e-9)
        out.line("The warm process reached " + String(format: "%.0f%%", warmStart * 100)
                 + " of the cold run's steady hit rate in its first 10% of loads, and "
                 + String(format: "%.0f%%", 100 * warm.result.warmUp.hitRate / steady)
                 + " in its first \(warmUpLoads) (the cold one: " + String(format: "%.0f%%", 100 * cold.result.warmUp.hitRate / steady) + ").")

        // 3. The trace, through cache-stats.
        var statsSummary: CacheStatsSummary?
        if let trace = warm.traceFile ?? cold.traceFile {
            out.line("")
            out.line("cache-stats \(trace):")
            let sink = MemorySink()
            let outcome = try CacheStats.run(path: trace, options: CacheStatsOptions(), sink: sink)
            statsSummary = outcome.summary
            out.block(sink.text)
        }

        // 4. How big should the cache be? A sweep of the trace: every policy, 8 sizes.
        var sweep: SweepReport?
        var recommendation: DemoRecommendation?
        let chart = root.appendingPathComponent("cache-sizes.svg")
        if let trace = warm.traceFile ?? cold.traceFile {
            let decoded = try OperationStream.decode(path: trace)
            let sizes = DemoCommand.sweepFactors.map { cacheMB * $0 }
            let settings = SimulationSettings()
            let results = SimulationSweep.run(decoded.stream, policies: SimulationPolicy.defaultSweep,
                                              capacities: sizes.map { .megabytes($0) }, settings: settings)
            let report = SweepReport(trace: trace, stream: decoded.stream, settings: settings, everyRecord: false,
                                     results: results)
            sweep = report
            try HitRateChart.svg(report).write(to: chart, atomically: true, encoding: .utf8)
            recommendation = DemoRecommendation(report)
            out.line("")
            out.line("cache-simul --sizes \(sizes.map { ToolFormat.megabytes($0) }.joined(separator: ",")) --policy \(SimulationPolicy.defaultSweep.map(\.rawValue).joined(separator: ",")):")
            out.block(SweepReportFormatter.table(report))
            if let recommendation { out.line(recommendation.sentence) }
            out.line("Chart: \(chart.path)")
        }

        // 5. Where everything is.
        out.line("")
        out.line("Files:")
        out.line("  database      \(database.locationDescription)")
        out.line("  cache files   \(database.cacheDirectory.path)")
        if let trace = warm.traceFile ?? cold.traceFile { out.line("  trace         \(trace)") }
        if sweep != nil { out.line("  chart         \(chart.path)") }
        out.line("Inspect the cache directory with: statecache inspect \(database.cacheDirectory.path)")

        if json {
            let summary = DemoSummary(directory: root.path, database: database.locationDescription,
                                      cacheDirectory: database.cacheDirectory.path,
                                      traceFile: warm.traceFile ?? cold.traceFile, objects: filled.objects,
                                      stateBytes: filled.bytes, cacheMB: cacheMB, workload: plan,
                                      cold: cold.result, warm: warm.result, warmStartRatio: warmStart,
                                      traceLoads: statsSummary?.loads, traceHitRatePercent: statsSummary?.hitRatePercent,
                                      sweep: sweep?.results, chart: sweep == nil ? nil : chart.path,
                                      recommendation: recommendation)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(summary), as: UTF8.self))
        }
    }

    /// Runs one phase in a child process with `ZEO_CACHE_TRACE=single` and returns its report.
    func runPhase(_ database: DemoDatabase, plan: DemoWorkload, cacheMB: Double, label: String,
                  progress: Bool) throws -> DemoPhaseCommand.PhaseOutput {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: StressCommand.selfPath(fallback: CommandLine.arguments[0]))
        var arguments = ["demo-phase", "--dir", database.root.path, "--cache-mb", String(cacheMB),
                         "--workload", String(decoding: try JSONEncoder().encode(plan), as: UTF8.self), "--label", label]
        if let postgres = database.postgres { arguments += ["--postgres", postgres] }
        if progress { arguments.append("--progress") }
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment[TraceFileLocation.environmentVariable] = TraceFileLocation.singleFileValue
        process.environment = environment
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0,
              let output = try? JSONDecoder().decode(DemoPhaseCommand.PhaseOutput.self, from: data) else {
            throw DemoError("the \(label) failed (exit status \(process.terminationStatus))")
        }
        return output
    }
}

/// Text output that stays quiet when the JSON summary is asked for.
struct DemoOutput {
    let json: Bool
    func line(_ text: String) { if !json { print(text) } }
    func block(_ text: String) { if !json { print(text.split(separator: "\n", omittingEmptySubsequences: false).map { "  " + $0 }.joined(separator: "\n")) } }
}

/// `statecache demo --json`.
struct DemoSummary: Codable {
    var directory: String
    var database: String
    var cacheDirectory: String
    var traceFile: String?
    var objects: Int
    var stateBytes: Int
    var cacheMB: Double
    var workload: DemoWorkload
    var cold: DemoWorkload.Result
    var warm: DemoWorkload.Result
    /// Warm first-10% hit rate ÷ cold steady hit rate.
    var warmStartRatio: Double
    var traceLoads: Int?
    var traceHitRatePercent: Double?
    /// Every policy at every size of the sweep.
    var sweep: [SweepReport.Row]?
    var chart: String?
    var recommendation: DemoRecommendation?
}

/// "a 40 MB cache reaches 95% of the achievable hit rate", from a sweep.
struct DemoRecommendation: Codable {
    /// The share of the achievable hit rate asked for.
    static let target = 0.95
    /// The best hit rate any simulated policy reached at any size (the optimum at the largest).
    var achievableHitRate: Double
    /// The smallest size at which the shipped policy (W-TinyLFU) reaches the target, if any.
    var recommendedBytes: Int?
    /// The shipped policy's hit rate there (or at the largest size).
    var hitRate: Double
    var sentence: String

    init?(_ report: SweepReport) {
        let shipped = report.results.filter { $0.policy == SimulationPolicy.wtinylfu.rawValue }.sorted { $0.capacity < $1.capacity }
        // Rows give hit rates in percent; this type works in fractions.
        guard let largest = shipped.last, let bestPercent = report.results.map(\.hitRate).max(), bestPercent > 0 else { return nil }
        let best = bestPercent / 100
        achievableHitRate = best
        if let first = shipped.first(where: { $0.hitRate / 100 >= DemoRecommendation.target * best }) {
            recommendedBytes = first.capacity
            hitRate = first.hitRate / 100
            sentence = "A " + ToolFormat.megabytes(Double(first.capacity) / 1_000_000) + " MB cache reaches "
                + ToolFormat.percent(hitRate / best) + " of the achievable hit rate (W-TinyLFU "
                + ToolFormat.percent(hitRate) + "; the best any policy reached at any size: " + ToolFormat.percent(best) + ")."
        } else {
            recommendedBytes = nil
            hitRate = largest.hitRate / 100
            sentence = "Even " + ToolFormat.megabytes(Double(largest.capacity) / 1_000_000) + " MB reaches only "
                + ToolFormat.percent(hitRate / best) + " of the achievable hit rate: the working set is larger."
        }
    }
}
