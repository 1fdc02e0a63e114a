import Foundation

/// Runs the real binaries on a case — `cache-simul`, `cache-stats`, `statecache convert`,
/// `statecache inspect`, found beside this driver — and checks what a user relies on: no
/// crash (death by a signal), no hang (a time limit), and on input broken by construction a
/// non-zero exit status with the problem said on the last line of standard error (for
/// `inspect`, the file marked INVALID on standard output).
struct ToolRunner {
    /// The folder holding the built tools.
    let tools: URL
    /// A directory for the case's files.
    let scratch: URL
    /// Seconds after which a tool is killed and the case counted as a hang.
    let timeout: TimeInterval

    /// How one tool run ended.
    struct Run {
        var command: String
        var status: Int32
        var signaled: Bool
        var timedOut: Bool
        var stdout: String
        var stderr: String
    }

    /// The tools' failures on this case (empty: all is well), and how many tools ran.
    func check(_ fuzzCase: FuzzCase, input: String) throws -> (failures: [String], runs: Int) {
        var runs: [Run] = []
        switch fuzzCase.target {
        case .trace:
            runs.append(try run("cache-simul", fuzzCase.arguments + [input]))
            runs.append(try run("cache-stats", ["-h", "-s", input]))
        case .options:
            let arguments = fuzzCase.arguments.dropFirst().map { $0 == ToolArguments.tracePlaceholder ? input : $0 }
            runs.append(try run(fuzzCase.arguments.first ?? "cache-simul", Array(arguments)))
        case .convert:
            let output = scratch.appendingPathComponent("tool-converted.trace").path
            defer { try? FileManager.default.removeItem(atPath: output) }
            runs.append(try run("statecache", ["convert", "--from", fuzzCase.format, input, output]))
            let left = (try? FileManager.default.contentsOfDirectory(atPath: scratch.path))?
                .filter { $0.contains("tool-converted") } ?? []
            if runs[0].status != 0 && !runs[0].signaled && !left.isEmpty {
                return (["statecache convert failed and left \(left.joined(separator: ", "))"], 1)
            }
        case .cacheFile:
            runs.append(try run("statecache", ["inspect", URL(fileURLWithPath: input).deletingLastPathComponent().path]))
        }
        var failures: [String] = []
        for run in runs {
            if run.signaled {
                failures.append("\(run.command) was killed by signal \(run.status) (a crash)")
            } else if run.timedOut {
                failures.append("\(run.command) did not finish within \(Int(timeout)) s (a hang)")
            } else if fuzzCase.broken != nil {
                if let problem = ToolRunner.brokenInputProblem(run, target: fuzzCase.target) {
                    failures.append("\(run.command): \(problem)")
                }
            }
        }
        return (failures, runs.count)
    }

    /// What is wrong with how a tool ended on broken input, or nil if it ended as it should.
    static func brokenInputProblem(_ run: Run, target: FuzzTarget) -> String? {
        guard run.status != 0 else { return "exit status 0 on an input broken by construction" }
        if target == .cacheFile && !run.stdout.contains("INVALID") {
            return "exit status \(run.status) but no file marked INVALID"
        }
        let lines = run.stderr.split(separator: "\n", omittingEmptySubsequences: true)
        guard let last = lines.last else { return "exit status \(run.status) but nothing on standard error" }
        let said = last.contains("error") || last.contains("Error") || last == "No records processed"
        return said ? nil : "exit status \(run.status) but standard error does not end with the error: '\(last)'"
    }

    /// Runs the tool `name` with `arguments` (output to files, so no pipe fills up).
    func run(_ name: String, _ arguments: [String]) throws -> Run {
        let process = Process()
        process.executableURL = tools.appendingPathComponent(name)
        process.arguments = arguments
        process.currentDirectoryURL = scratch
        var environment = ProcessInfo.processInfo.environment
        environment["TZ"] = "UTC"
        process.environment = environment
        let outPath = scratch.appendingPathComponent("tool.stdout"), errPath = scratch.appendingPathComponent("tool.stderr")
        _ = FileManager.default.createFile(atPath: outPath.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errPath.path, contents: nil)
        let out = try FileHandle(forWritingTo: outPath), err = try FileHandle(forWritingTo: errPath)
        defer {
            try? out.close()
            try? err.close()
        }
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        var timedOut = false
        while process.isRunning {
            if Date() > deadline {
                timedOut = true
                kill(process.processIdentifier, SIGKILL)
                break
            }
            usleep(2000)
        }
        process.waitUntilExit()
        let signaled = process.terminationReason == .uncaughtSignal && !timedOut
        return Run(command: ([name] + arguments).joined(separator: " "), status: process.terminationStatus,
                   signaled: signaled, timedOut: timedOut,
                   stdout: String(decoding: (try? Data(contentsOf: outPath)) ?? Data(), as: UTF8.self),
                   stderr: String(decoding: (try? Data(contentsOf: errPath)) ?? Data(), as: UTF8.self))
    }
}
