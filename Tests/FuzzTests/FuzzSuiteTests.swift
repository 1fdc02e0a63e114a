import Foundation
import TestSupport
import XCTest

/// The fuzzing part of the suite: a bounded, seeded run of `statecache-fuzz` over every reader
/// (traces plain/gzip/xz, every `statecache convert` format, cache files, the command lines of
/// `cache-simul` and `cache-stats`), supervised so a crash or hang saves its case under
/// `fixtures/fuzz/crashers` and fails naming the seed; and the replay of every case saved
/// there, each a reproducer of a bug that was fixed.
///
/// `FUZZ_SEED` and `FUZZ_CASES` change the run (`make fuzz` runs longer ones); see docs/fuzzing.md.
final class FuzzSuiteTests: XCTestCase {
    /// The package root: `Tests/FuzzTests/FuzzSuiteTests.swift` → three levels up.
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let crashers = packageRoot.appendingPathComponent("fixtures/fuzz/crashers")

    private var seed: String { ProcessInfo.processInfo.environment["FUZZ_SEED"] ?? "1" }
    private var cases: Int { ProcessInfo.processInfo.environment["FUZZ_CASES"].flatMap(Int.init) ?? 1200 }

    private func fuzz(_ arguments: [String], timeout: TimeInterval) throws -> ToolRun {
        try ToolRun(try BuiltTool.required("statecache-fuzz"),
                    arguments + ["--fixtures", FuzzSuiteTests.packageRoot.appendingPathComponent("fixtures").path],
                    environment: ["SWIFT_BACKTRACE": "enable=no"], timeout: timeout)
    }

    private func assertClean(_ run: ToolRun, _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(run.reason, .exit, "\(what): the supervisor itself was stopped\n\(run.stdout)", file: file, line: line)
        XCTAssertEqual(run.status, 0, "\(what) (seed \(seed)) failed; failing cases are saved in "
                       + "\(FuzzSuiteTests.crashers.path):\n\(run.stdout)\(run.stderr.suffix(4000))", file: file, line: line)
        XCTAssertTrue(run.stdout.contains("statecache-fuzz: 0 failing case(s)"), "\(what): \(run.stdout)", file: file, line: line)
    }

    /// Traces, research traces and cache files, in-process, a sample through the real tools.
    func testReadersSurviveSeededFuzzing() throws {
        let run = try fuzz(["--supervise", "--seed", seed, "--targets", "trace,convert,cache-file",
                            "--cases", String(cases), "--tool-every", "12", "--crashers", FuzzSuiteTests.crashers.path],
                           timeout: 600)
        assertClean(run, "fuzzing the readers")
        for target in ["trace", "convert", "cache-file"] {
            XCTAssertTrue(run.stdout.contains("  \(target)"), "no \(target) cases ran: \(run.stdout)")
        }
    }

    /// The option space of cache-simul and cache-stats, every case through the real binaries.
    func testToolCommandLinesSurviveSeededFuzzing() throws {
        let run = try fuzz(["--supervise", "--seed", seed, "--targets", "options", "--cases", String(cases / 8),
                            "--crashers", FuzzSuiteTests.crashers.path], timeout: 600)
        assertClean(run, "fuzzing the command lines")
    }

    /// Every saved crasher still runs cleanly: each is the reproducer of a fixed bug.
    func testSavedCrashersReplayCleanly() throws {
        let saved = try FileManager.default.contentsOfDirectory(atPath: FuzzSuiteTests.crashers.path).filter { $0.hasSuffix(".case") }
        XCTAssertFalse(saved.isEmpty, "the regression cases are missing from \(FuzzSuiteTests.crashers.path)")
        let run = try fuzz(["--replay", FuzzSuiteTests.crashers.path], timeout: 300)
        assertClean(run, "replaying \(saved.count) saved case(s)")
        XCTAssertTrue(run.stdout.contains("replayed \(saved.count) saved case(s)"), run.stdout)
    }

    /// The supervisor outlives a driver that dies by a signal: it saves the running case, names
    /// the seed and the case, goes on with the next cases, and fails.
    func testTheSupervisorSavesTheCaseOfACrash() throws {
        let folder = try ScratchFiles(label: "fuzz-crashers")
        defer { folder.remove() }
        let run = try fuzz(["--supervise", "--seed", "77", "--targets", "trace", "--cases", "6", "--tool-every", "0",
                            "--crash-at-case", "3", "--crashers", folder.directory.path], timeout: 300)
        XCTAssertEqual(run.reason, .exit)
        XCTAssertEqual(run.status, 1, run.stdout)
        XCTAssertTrue(run.stdout.contains("FAIL seed 77 case 3 crashed (signal"), run.stdout)
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.directory.path)
        XCTAssertEqual(names, ["trace-seed77-case3.case"])
        let saved = try Data(contentsOf: folder.directory.appendingPathComponent(names[0]))
        XCTAssertTrue(saved.starts(with: Data("statecache-fuzz-case 1\ntarget: trace\n".utf8)))
        XCTAssertTrue(run.stdout.contains("cases 4..<6"), "the run goes on after the crash: \(run.stdout)")
    }
}
