import CacheCore
import CacheTrace
import Foundation
import TestSupport
import XCTest
@testable import CacheFiles

/// `statecache inspect DIR`: one line per file, the damaged ones named with the reason.
final class InspectCommandTests: XCTestCase {
    func inspect(_ directory: URL, _ extra: [String] = []) throws -> (status: Int32, lines: [String]) {
        guard let tool = BuiltTool.url(named: "statecache") else { throw XCTSkip("build the statecache tool first (swift build)") }
        let process = Process()
        process.executableURL = tool
        process.arguments = ["inspect", directory.path] + extra
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice  // the one-line error has its own test
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init))
    }

    func testListsFilesTheirStateAndTraces() throws {
        let scratch = try ScratchFiles(label: "inspect")
        defer { scratch.remove() }
        let directory = CacheDirectory(url: scratch.directory, prefix: "main")
        let good = try XCTUnwrap(try directory.save(Fixture.entries(count: 40), identity: Fixture.identity,
                                                    reachability: Fixture.everything(), options: .init(maximumBytes: 1 << 20)).file)
        let compressed = try XCTUnwrap(try CacheDirectory(url: scratch.directory, prefix: "other").save(
            Fixture.entries(count: 40), identity: Fixture.otherIdentity, reachability: Fixture.everything(),
            options: .init(maximumBytes: 1 << 20, compress: true)).file)
        let bytes = try Data(contentsOf: good)
        let truncated = scratch.directory.appendingPathComponent(CacheFile.fileName(prefix: "main", processID: 7, random: 7))
        try bytes.prefix(bytes.count - 10).write(to: truncated)
        let temporary = scratch.directory.appendingPathComponent(CacheFile.fileName(prefix: "main", processID: 8, random: 8) + ".tmp")
        try bytes.prefix(100).write(to: temporary)
        let trace = try TraceWriter(path: scratch.directory.appendingPathComponent("statecache-trace-main.1.trace").path)
        trace.writeRestart()
        for oid in 0..<5 { trace.write(.loadMiss, oid: UInt64(oid)) }
        try trace.close()

        let (status, lines) = try inspect(scratch.directory)
        XCTAssertEqual(status, 1, "a damaged file makes the exit status 1")
        XCTAssertEqual(lines.first, "Cache files in \(scratch.directory.path): 4")
        func line(_ url: URL) -> String { lines.first { $0.hasPrefix(url.lastPathComponent + " ") } ?? "" }
        let goodLine = line(good)
        XCTAssertTrue(goodLine.contains("prefix=main"), goodLine)
        XCTAssertTrue(goodLine.contains("database=00010203-0405-0607-0809-0a0b0c0d0e0f"), goodLine)
        XCTAssertTrue(goodLine.contains("entries=40"), goodLine)
        let size = String(bytes.count)
        let grouped = size.count > 3 ? size.dropLast(3) + "," + size.suffix(3) : Substring(size)
        XCTAssertTrue(goodLine.contains("bytes=\(grouped) "), goodLine)
        XCTAssertTrue(goodLine.contains("newest=\(TransactionID(1000).utcDateString) UTC"), goodLine)
        XCTAssertTrue(goodLine.hasSuffix("valid"), goodLine)
        XCTAssertTrue(line(compressed).contains("(lz4, "), line(compressed))
        XCTAssertTrue(line(compressed).hasSuffix("valid"))
        XCTAssertTrue(line(truncated).contains("INVALID: truncated"), line(truncated))
        XCTAssertTrue(line(temporary).contains("incomplete"), line(temporary))
        XCTAssertTrue(lines.contains("Trace files: 1"))
        XCTAssertTrue(lines.contains { $0.hasPrefix("statecache-trace-main.1.trace") && $0.hasSuffix("records=6") }, "\(lines)")

        try FileManager.default.removeItem(at: truncated)
        let (cleanStatus, entryLines) = try inspect(scratch.directory, ["--entries"])
        XCTAssertEqual(cleanStatus, 0)
        XCTAssertEqual(entryLines.filter { $0.hasPrefix("  oid ") }.count, 80, "every entry of both valid files")
        XCTAssertTrue(entryLines.contains { $0.contains("key TID 1000  actual TID 900  frequency 15  protected") })
    }

    /// A damaged file: the file's line says INVALID and why, standard error says so in one
    /// line, and the exit status is 1 (what scripts and the fuzzer check).
    func testADamagedFileIsOneLineOnStandardErrorAndExitStatusOne() throws {
        let scratch = try ScratchFiles(label: "inspect-damaged")
        defer { scratch.remove() }
        _ = try scratch.file(CacheFile.fileName(prefix: "main", processID: 1, random: 1), Array("not a cache file".utf8))
        let run = try ToolRun(try BuiltTool.required("statecache"), ["inspect", scratch.directory.path], timeout: 60)
        XCTAssertEqual(run.status, 1)
        XCTAssertEqual(run.stderr, "statecache inspect: error: 1 of 1 cache file(s) invalid\n")
        XCTAssertTrue(run.stdout.contains("INVALID"), run.stdout)
    }

    func testAMissingDirectoryIsSaidNotToExistAndAFileNotToBeADirectory() throws {
        let tool = try BuiltTool.required("statecache")
        let scratch = try ScratchFiles(label: "inspect-missing")
        defer { scratch.remove() }
        let missing = scratch.directory.appendingPathComponent("nowhere")
        let missingRun = try ToolRun(tool, ["inspect", missing.path])
        XCTAssertNotEqual(missingRun.status, 0)
        XCTAssertTrue(missingRun.stderr.contains("\(missing.path) does not exist"), missingRun.stderr)
        XCTAssertFalse(missingRun.stderr.contains("not a directory"), missingRun.stderr)

        let file = scratch.directory.appendingPathComponent("a-file")
        try Data([1]).write(to: file)
        let fileRun = try ToolRun(tool, ["inspect", file.path])
        XCTAssertNotEqual(fileRun.status, 0)
        XCTAssertTrue(fileRun.stderr.contains("\(file.path) is not a directory"), fileRun.stderr)
    }
}
