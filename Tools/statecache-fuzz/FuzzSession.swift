import CacheFiles
import Foundation

/// One driver process's work: makes (or reads back) cases, writes each to the current-case
/// file, runs it in-process and, for a sample, through the tools, under the watchdog; saves
/// the cases that fail and prints a summary per target.
final class FuzzSession {
    let generator: CaseGenerator
    let toolEvery: Int
    let crashers: URL
    let currentCase: URL?
    let scratch: URL
    let inProcess: InProcessRunner
    let tools: ToolRunner
    let watchdog: CaseWatchdog
    /// The case at which to die by a signal, so the supervisor's handling can be tested.
    let crashAtCase: Int?

    /// What one target's cases came to.
    struct Tally {
        var cases = 0, broken = 0, refused = 0, toolRuns = 0, failures = 0
    }

    init(seeds: SeedCorpus, runSeed: UInt64, toolEvery: Int, caseTimeout: Double, crashers: URL, currentCase: URL?,
         crashAtCase: Int? = nil) throws {
        self.crashAtCase = crashAtCase
        generator = CaseGenerator(seeds: seeds, runSeed: runSeed)
        self.toolEvery = toolEvery
        self.crashers = crashers
        self.currentCase = currentCase
        scratch = FileManager.default.temporaryDirectory.appendingPathComponent("statecache-fuzz-\(getpid())")
        try? FileManager.default.removeItem(at: scratch)
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        inProcess = InProcessRunner(scratch: scratch)
        let toolFolder = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        tools = ToolRunner(tools: toolFolder, scratch: scratch, timeout: caseTimeout)
        // A case runs its readers in-process and up to two tools: it may take two tool limits.
        watchdog = CaseWatchdog(seconds: 2 * caseTimeout)
        for name in ["cache-simul", "cache-stats", "statecache"]
        where !FileManager.default.isExecutableFile(atPath: toolFolder.appendingPathComponent(name).path) {
            throw FuzzSessionError(message: "\(name) is not built beside statecache-fuzz (swift build)")
        }
    }

    deinit {
        try? FileManager.default.removeItem(at: scratch)
    }

    /// Runs cases `first ..< first + count` (round-robin over `targets`); returns the failures.
    func run(targets: [FuzzTarget], first: Int, count: Int, seconds: Double?) throws -> Int {
        let started = Date()
        var tallies: [FuzzTarget: Tally] = [:]
        var last = first
        for index in first ..< first + count {
            if let seconds, Date().timeIntervalSince(started) > seconds { break }
            let target = targets[index % targets.count]
            if let currentCase {
                // The number first: a crash while the case is made still names it.
                try? FileManager.default.removeItem(at: currentCase)
                try Data("\(index)\n".utf8).write(to: currentCase.appendingPathExtension("index"))
            }
            let fuzzCase = generator.make(target, index: index)
            let withTools = target == .options || (toolEvery > 0 && (index / targets.count) % toolEvery == 0)
            let failures = try execute(fuzzCase, index: index, withTools: withTools, tally: &tallies[target, default: Tally()])
            for failure in failures {
                FuzzOutput.say("statecache-fuzz: FAIL seed \(generator.runSeed) case \(index) (\(target.rawValue): \(fuzzCase.label)): \(failure)")
            }
            if !failures.isEmpty { save(fuzzCase, name: "\(target.rawValue)-seed\(generator.runSeed)-case\(index).case") }
            last = index + 1
        }
        let elapsed = Date().timeIntervalSince(started)
        FuzzOutput.say(String(format: "statecache-fuzz: seed %llu, cases %d..<%d in %.1f s", generator.runSeed, first, last, elapsed))
        return report(tallies)
    }

    /// Runs saved cases (files, or folders of `.case` files) with the tools; returns the failures.
    func replay(_ paths: [URL]) throws -> Int {
        var files: [URL] = []
        for path in paths {
            var isFolder: ObjCBool = false
            if FileManager.default.fileExists(atPath: path.path, isDirectory: &isFolder), isFolder.boolValue {
                files += ((try? FileManager.default.contentsOfDirectory(atPath: path.path)) ?? []).sorted()
                    .filter { $0.hasSuffix(".case") }.map { path.appendingPathComponent($0) }
            } else {
                files.append(path)
            }
        }
        var tallies: [FuzzTarget: Tally] = [:]
        var unreadable = 0
        for (index, file) in files.enumerated() {
            guard let fuzzCase = FuzzCase(encoded: Array(try Data(contentsOf: file))) else {
                FuzzOutput.say("statecache-fuzz: FAIL \(file.lastPathComponent): not a saved fuzz case")
                unreadable += 1
                continue
            }
            let failures = try execute(fuzzCase, index: index, withTools: true, tally: &tallies[fuzzCase.target, default: Tally()])
            for failure in failures { FuzzOutput.say("statecache-fuzz: FAIL replay \(file.lastPathComponent) (\(fuzzCase.label)): \(failure)") }
        }
        FuzzOutput.say("statecache-fuzz: replayed \(files.count) saved case(s)")
        return report(tallies) + unreadable
    }

    /// Runs one case under the watchdog; its failures.
    private func execute(_ fuzzCase: FuzzCase, index: Int, withTools: Bool, tally: inout Tally) throws -> [String] {
        if let currentCase {
            try Data(fuzzCase.encoded()).write(to: currentCase)
            try Data("\(index)\n".utf8).write(to: currentCase.appendingPathExtension("index"))
        }
        watchdog.begin(index)
        defer { watchdog.end() }
        if index == crashAtCase { kill(getpid(), SIGSEGV) }
        tally.cases += 1
        if fuzzCase.broken != nil { tally.broken += 1 }
        var failures: [String] = []
        let result = try inProcess.run(fuzzCase)
        if result.refused { tally.refused += 1 }
        if let failure = result.failure { failures.append(failure) }
        if withTools {
            let input = try toolInput(fuzzCase)
            let (toolFailures, runs) = try tools.check(fuzzCase, input: input)
            tally.toolRuns += runs
            failures += toolFailures
            try? FileManager.default.removeItem(at: scratch.appendingPathComponent("tool-input"))
        }
        tally.failures += failures.isEmpty ? 0 : 1
        return failures
    }

    /// Writes the case's input for a tool run: a cache file alone in a folder (for
    /// `statecache inspect`), anything else as a file.
    private func toolInput(_ fuzzCase: FuzzCase) throws -> String {
        let folder = scratch.appendingPathComponent("tool-input")
        try? FileManager.default.removeItem(at: folder)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let name = fuzzCase.target == .cacheFile
            ? CacheFile.fileName(prefix: InProcessRunner.prefix, processID: 1, random: 1)
            : URL(fileURLWithPath: inProcess.inputPath(fuzzCase)).lastPathComponent
        let path = folder.appendingPathComponent(name)
        try Data(fuzzCase.bytes).write(to: path)
        return path.path
    }

    private func save(_ fuzzCase: FuzzCase, name: String) {
        try? FileManager.default.createDirectory(at: crashers, withIntermediateDirectories: true)
        let url = crashers.appendingPathComponent(name)
        if (try? Data(fuzzCase.encoded()).write(to: url)) != nil { FuzzOutput.say("statecache-fuzz: saved as \(url.path)") }
    }

    /// Prints one line per target; returns the number of failing cases.
    private func report(_ tallies: [FuzzTarget: Tally]) -> Int {
        var failures = 0
        for target in FuzzTarget.allCases {
            guard let tally = tallies[target] else { continue }
            FuzzOutput.say("  \(target.rawValue.padding(toLength: 10, withPad: " ", startingAt: 0)) \(tally.cases) cases "
                  + "(\(tally.broken) broken by construction, \(tally.refused) refused), \(tally.toolRuns) tool runs, "
                  + "\(tally.failures) failing")
            failures += tally.failures
        }
        FuzzOutput.say("statecache-fuzz: \(failures) failing case(s)")
        return failures
    }
}

/// Why a fuzz session cannot start.
struct FuzzSessionError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
