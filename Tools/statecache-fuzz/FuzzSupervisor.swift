import Foundation

/// Runs the driver as a child process and outlives its crashes: when the child dies by a
/// signal, or its watchdog ends it for a hang, or it stops answering altogether, the
/// supervisor saves the case it was running (the child writes each case to a "current case"
/// file before running it) into the crasher folder, names the seed and the case, and starts a
/// new child at the next case. `make fuzz` and the suite's `FuzzSuiteTests` run this.
struct FuzzSupervisor {
    /// The driver executable (this program).
    let driver: URL
    /// The child's arguments besides `--first`, `--cases`, `--seconds` and `--current-case`.
    let childArguments: [String]
    let seed: UInt64
    /// Where crashing and hanging cases are saved.
    let crashers: URL
    /// The child's per-case limit; the supervisor allows a child this much beyond its budget.
    let caseTimeout: Double

    /// Runs cases `first ..< first + cases` (or until `seconds` have passed); returns the
    /// exit status: 0 when no child crashed, hung or reported a failure.
    func run(first: Int, cases: Int, seconds: Double?) throws -> Int32 {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("statecache-fuzz-supervisor-\(getpid())")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let current = scratch.appendingPathComponent("current.case")
        let deadline = seconds.map { Date().addingTimeInterval($0) }
        var next = first
        let end = first + cases
        var status: Int32 = 0
        while next < end {
            let remainingSeconds = deadline.map { $0.timeIntervalSinceNow }
            if let remainingSeconds, remainingSeconds <= 0 { break }
            try? FileManager.default.removeItem(at: current)
            var arguments = childArguments + ["--first", String(next), "--cases", String(end - next),
                                              "--current-case", current.path]
            if let remainingSeconds { arguments += ["--seconds", String(format: "%.1f", remainingSeconds)] }
            let process = Process()
            process.executableURL = driver
            process.arguments = arguments
            try process.run()
            // The child's own watchdog ends a hanging case; this one catches a child that
            // cannot even do that (a deadlock of the whole process, say).
            let childLimit = (remainingSeconds ?? .infinity) + caseTimeout * 3 + 120
            let started = Date()
            var killed = false
            while process.isRunning {
                if Date().timeIntervalSince(started) > childLimit {
                    kill(process.processIdentifier, SIGKILL)
                    killed = true
                    break
                }
                usleep(20_000)
            }
            process.waitUntilExit()
            let crashed = process.terminationReason == .uncaughtSignal && !killed
            let hung = killed || (process.terminationReason == .exit && process.terminationStatus == CaseWatchdog.exitStatus)
            guard crashed || hung else {
                if process.terminationStatus != 0 { status = 1 }
                break
            }
            status = 1
            let what = crashed ? "crashed (signal \(process.terminationStatus))" : "hung"
            guard let index = FuzzSupervisor.currentIndex(current) else {
                FuzzOutput.say("statecache-fuzz: the driver \(what) before its first case (seed \(seed), from case \(next))")
                break
            }
            next = index + 1
            guard FileManager.default.fileExists(atPath: current.path) else {
                FuzzOutput.say("statecache-fuzz: FAIL seed \(seed) case \(index) \(what) while the case was being made "
                               + "(statecache-fuzz --seed \(seed) --first \(index) --cases 1 repeats it)")
                continue
            }
            let saved = crashers.appendingPathComponent(FuzzSupervisor.crasherName(current, seed: seed, index: index))
            try? FileManager.default.createDirectory(at: crashers, withIntermediateDirectories: true)
            try? FileManager.default.removeItem(at: saved)
            try FileManager.default.copyItem(at: current, to: saved)
            FuzzOutput.say("statecache-fuzz: FAIL seed \(seed) case \(index) \(what); saved as \(saved.path) "
                  + "(replay: statecache-fuzz --replay \(saved.path))")
        }
        return status
    }

    /// The index of the case the child was running (from the file beside the current case).
    static func currentIndex(_ current: URL) -> Int? {
        guard let text = try? String(contentsOf: current.appendingPathExtension("index"), encoding: .utf8) else { return nil }
        return Int(text.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// `<target>-seed<S>-case<I>.case`, the target read from the saved case.
    static func crasherName(_ current: URL, seed: UInt64, index: Int) -> String {
        let target = (try? Data(contentsOf: current)).flatMap { FuzzCase(encoded: Array($0)) }?.target.rawValue ?? "unknown"
        return "\(target)-seed\(seed)-case\(index).case"
    }
}
