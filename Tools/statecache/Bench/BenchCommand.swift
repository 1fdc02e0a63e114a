import ArgumentParser
import Foundation

/// A benchmark group: one area of the system measured against its baseline.
protocol BenchmarkGroup {
    /// The name on the command line (`statecache bench NAME`).
    static var name: String { get }
    /// One line saying what it measures and against what.
    static var summary: String { get }
    /// Runs the group with the command's settings.
    static func run(_ context: BenchmarkContext) throws -> [BenchmarkRow]
}

/// What `statecache bench` tells every group.
struct BenchmarkContext {
    /// A short run (tests and smoke runs): fewer objects and rounds, noisier figures.
    var quick = false
    /// A PostgreSQL server to measure the storage group against instead of SQLite.
    var postgres: String?
    /// The shared fixtures folder (`--fixtures`; nil: the group's default, `../shared/fixtures`).
    var fixtures: String?
}

/// `statecache bench [GROUP…] [--json]`: runs benchmark groups and prints one table.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure StateCache against baselines run side by side (build with -c release).",
        discussion: "Groups: " + BenchCommand.groups.map { "\($0.name) (\($0.summary))" }.joined(separator: "; ")
    )

    /// Every group, in the order `statecache bench` runs them.
    static var groups: [any BenchmarkGroup.Type] { [
        CacheBenchmark.self,
        TraceBenchmark.self,
        ViewsBenchmark.self,
        StorageBenchmark.self,
        PersistBenchmark.self,
        FidelityBenchmark.self,
        SimulBenchmark.self,
        HitRateBenchmark.self,
        ClientBenchmark.self,
    ] }

    @Argument(help: "Groups to run (default: all).")
    var group: [String] = []

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    @Flag(help: "A short run (smoke test); figures are noisier.")
    var quick = false

    @Option(help: "Run the storage group against this PostgreSQL URL or connection string (it adds objects there).")
    var postgres: String?

    @Option(help: "The hitrate group's trace folder (default: ../shared/fixtures, from the current directory; absent: synthetic traces only).")
    var fixtures: String?

    func validate() throws {
        let known = Set(Self.groups.map { $0.name })
        for name in group where !known.contains(name) {
            throw ValidationError("unknown benchmark group '\(name)'; known: \(known.sorted().joined(separator: ", "))")
        }
    }

    func run() throws {
        #if DEBUG
        FileHandle.standardError.write(Data("statecache bench: warning: a debug build; use `swift run -c release statecache bench`\n".utf8))
        #endif
        let selected = group.isEmpty ? Self.groups : Self.groups.filter { group.contains($0.name) }
        var rows: [BenchmarkRow] = []
        for benchmark in selected {
            rows += try benchmark.run(BenchmarkContext(quick: quick, postgres: postgres, fixtures: fixtures))
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            let data = try encoder.encode(rows)
            print(String(decoding: data, as: UTF8.self))
        } else {
            print(BenchmarkTable.render(rows))
        }
    }
}
