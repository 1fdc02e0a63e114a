import ArgumentParser
import CacheCore
import CacheFiles
import Foundation

/// `statecache-fuzz`: generates inputs for every reader of the project from a seed, runs them
/// in-process and (a sample) through the real tools, and fails on a crash, a hang, or a broken
/// input accepted. Built beside the tests, never installed; see docs/fuzzing.md.
@main
struct FuzzCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "statecache-fuzz",
        abstract: "Fuzz the trace, research-trace and cache-file readers and the tools' command lines.",
        discussion: """
            Cases are made from --seed and their number, so `--seed S --first I --cases 1` makes case I again. \
            With --supervise the cases run in a child process; a crash or hang saves the running case in \
            --crashers and the run goes on at the next case. --replay runs saved cases.
            """)

    @Option(help: "The run's seed: the same seed makes the same cases.") var seed: UInt64 = 1
    @Option(help: "The number of cases.") var cases = 2000
    @Option(help: "The first case's number.") var first = 0
    @Option(help: "Stop after this many seconds, even if cases remain.") var seconds: Double?
    @Option(help: "The targets, comma-separated: trace, convert, cache-file, options, or all.") var targets = "all"
    @Option(help: "Run the real tools on every Nth case of trace, convert and cache-file (0: never; options cases always run them).")
    var toolEvery = 10
    @Option(help: "Seconds one tool run may take before it counts as a hang (one whole case: twice that).")
    var caseTimeout: Double = 30
    @Option(help: "The repository's fixtures folder (default: found above the working directory or this program).")
    var fixtures: String?
    @Option(help: "Where failing cases are saved (default: FIXTURES/fuzz/crashers).") var crashers: String?
    @Option(help: "Write each case here before running it (for a supervisor).") var currentCase: String?
    @Flag(help: "Run the cases in a child process, saving the case of any crash or hang.") var supervise = false
    @Option(parsing: .upToNextOption, help: "Run saved cases (files or folders of .case files) and check each.")
    var replay: [String] = []
    @Option(help: "Write the seed cache files into this folder and stop.") var writeCacheFileSeeds: String?
    @Option(help: ArgumentHelp("Die by a signal at this case (the supervisor's own test).", visibility: .hidden))
    var crashAtCase: Int?

    func run() throws {
        if let writeCacheFileSeeds {
            try CacheFileSeeds.write(into: URL(fileURLWithPath: writeCacheFileSeeds))
            return
        }
        let fixturesURL = try fixturesFolder()
        let crashersURL = crashers.map { URL(fileURLWithPath: $0) } ?? fixturesURL.appendingPathComponent("fuzz/crashers")
        guard let chosen = FuzzTarget.parseList(targets) else {
            throw ValidationError("unknown target in '\(targets)': choose trace, convert, cache-file, options or all")
        }
        if supervise {
            let driver = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
            var arguments = ["--seed", String(seed), "--targets", targets, "--tool-every", String(toolEvery),
                             "--case-timeout", String(caseTimeout), "--fixtures", fixturesURL.path,
                             "--crashers", crashersURL.path]
            if let crashAtCase { arguments += ["--crash-at-case", String(crashAtCase)] }
            let supervisor = FuzzSupervisor(driver: driver, childArguments: arguments, seed: seed, crashers: crashersURL,
                                            caseTimeout: caseTimeout)
            let status = try supervisor.run(first: first, cases: cases, seconds: seconds)
            if status != 0 { throw ExitCode(status) }
            return
        }
        let session = try FuzzSession(seeds: SeedCorpus(fixtures: fixturesURL), runSeed: seed, toolEvery: toolEvery,
                                      caseTimeout: caseTimeout, crashers: crashersURL,
                                      currentCase: currentCase.map { URL(fileURLWithPath: $0) }, crashAtCase: crashAtCase)
        let failures: Int
        if !replay.isEmpty {
            failures = try session.replay(replay.map { URL(fileURLWithPath: $0) })
        } else {
            failures = try session.run(targets: chosen, first: first, count: cases, seconds: seconds)
        }
        if failures > 0 { throw ExitCode.failure }
    }

    /// `--fixtures`, or the first `fixtures` folder holding ZEO traces above the working
    /// directory or above this program (which `swift build` puts inside the repository).
    func fixturesFolder() throws -> URL {
        if let fixtures { return URL(fileURLWithPath: fixtures) }
        let starts = [URL(fileURLWithPath: FileManager.default.currentDirectoryPath),
                      URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()]
        for start in starts {
            var folder = start
            while folder.path != "/" {
                let candidate = folder.appendingPathComponent("fixtures")
                if FileManager.default.fileExists(atPath: candidate.appendingPathComponent("zeo/traces").path) { return candidate }
                folder.deleteLastPathComponent()
            }
        }
        throw ValidationError("no fixtures folder found above the working directory: give --fixtures")
    }
}
