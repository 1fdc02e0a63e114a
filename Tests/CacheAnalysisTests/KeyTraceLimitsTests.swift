import CacheAnalysis
import Foundation
import TestSupport
import XCTest

/// What one line of a research trace may expand to, and what a conversion leaves when it
/// cannot finish: a line of a few bytes must not become gigabytes of output, a full disk is
/// reported when it happens, and neither a failure nor a killed run leaves a file behind.
final class KeyTraceLimitsTests: KeyTraceConversionTestCase {
    /// The largest count a line may have still converts; one more is refused with the line.
    func testALineExpandsToAtMostTheLimitOfKeys() throws {
        let limit = KeyTraceReader.maximumKeysPerLine
        let atLimit = try convertedLoads(try file("limit.arc", "5 \(limit) 0 0\n"), .arc)
        XCTAssertEqual(atLimit.count, limit)
        XCTAssertEqual(atLimit.last?.oid, UInt64(5 + limit - 1))
        let problem = "is more than the 65,536 keys one line may expand to"
        try assertRefusesLines([
            ("over.arc", "1 2 0 0\n0 \(limit + 1) 0 0\n", .arc, 2, "0 \(limit + 1) 0 0", "the block count \(limit + 1) \(problem)"),
            ("issue.arc", "0 2147483647 0 0\n", .arc, 1, "0 2147483647 0 0", "the block count 2147483647 \(problem)"),
            ("read.spc", "0,1,512,r,0\n0,1,2147483647,r,0\n", .umassStorage, 2, "0,1,2147483647,r,0",
             "a read of 2147483647 bytes (4194304 blocks) \(problem)"),
        ])
    }

    /// The converter as the user runs it.
    private func convertTool(_ arguments: [String], shell prefix: String? = nil) throws -> ToolRun {
        let tool = try BuiltTool.required("statecache")
        if let prefix {
            let command = prefix + "; exec '\(tool.path)' " + arguments.map { "'\($0)'" }.joined(separator: " ")
            return try ToolRun(URL(fileURLWithPath: "/bin/sh"), ["-c", command], timeout: 120)
        }
        return try ToolRun(tool, arguments, timeout: 120)
    }

    /// Names in the scratch directory other than the inputs.
    private func leftovers(besides inputs: Set<String>) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { !inputs.contains($0) }.sorted()
    }

    /// A write that fails (here the file-size limit, as a full disk would) stops the
    /// conversion at once with one line, exit status 1, and leaves no file.
    func testAFailingWriteIsReportedWhenItHappensAndLeavesNothing() throws {
        let input = try file("many.lirs", (1 ... 400_000).map(String.init).joined(separator: "\n") + "\n")
        let output = directory.appendingPathComponent("out.trace").path
        let run = try convertTool(["convert", "--from", "lirs", input, output], shell: "ulimit -f 256")
        XCTAssertEqual(run.reason, .exit, "the file-size signal must not kill the converter")
        XCTAssertEqual(run.status, 1)
        XCTAssertEqual(run.stderr, "statecache convert: error: cannot write '\(output)': File too large\n")
        XCTAssertEqual(try leftovers(besides: ["many.lirs"]), [])
    }

    /// `kill -9` in the middle of a conversion leaves no output and no partial file, and an
    /// older output at the same path is still the old one.
    func testAKilledConversionLeavesNothing() throws {
        let input = try file("huge.arc", (0 ..< 2000).map { "\($0 << 16) 65536 0 0" }.joined(separator: "\n") + "\n")
        let output = directory.appendingPathComponent("out.trace").path
        _ = try KeyTraceConverter.convert(input: try file("old.lirs", "1\n2\n"), format: .lirs, output: output)
        let old = try Data(contentsOf: URL(fileURLWithPath: output))
        let process = Process()
        process.executableURL = try BuiltTool.required("statecache")
        process.arguments = ["convert", "--from", "arc", input, output]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        usleep(400_000)  // well into the 4.5 GB it would write
        XCTAssertTrue(process.isRunning, "the conversion should still be running")
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationReason, .uncaughtSignal)
        XCTAssertEqual(try leftovers(besides: ["huge.arc", "old.lirs", "out.trace"]), [])
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: output)), old)
    }
}
