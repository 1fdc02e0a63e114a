import CacheCore
import CacheAnalysis
import CacheTrace
import Foundation
import XCTest
import TestSupport

/// A trace written by our writer, read by ZEO's own `cache_stats`, which must accept it and
/// print exactly what our engine prints.
///
/// The Python comes from `STATECACHE_PYTHON` (`make test` points it at the virtual environment
/// it installs ZEO into, `.build/zeo-venv`), else `python3` on the `PATH`. With
/// `STATECACHE_PYTHON` set, a Python that cannot import ZEO fails these tests; without it they
/// are skipped.
final class ZEOInteroperabilityTests: XCTestCase {
    /// The Python the environment names, if any.
    private static let configuredPython: String? = {
        guard let path = ProcessInfo.processInfo.environment["STATECACHE_PYTHON"], !path.isEmpty else { return nil }
        return path
    }()

    /// Why a test that was told where ZEO is could not use it.
    private struct ZEOUnavailable: Error, CustomStringConvertible {
        var python: String
        var output: String
        var description: String {
            "STATECACHE_PYTHON=\(python) cannot import ZEO (`make zeo-venv` installs it): \(output)"
        }
    }

    private func python(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        if let configured = Self.configuredPython {
            process.executableURL = URL(fileURLWithPath: configured)
            process.arguments = arguments
        } else {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["python3"] + arguments
        }
        process.environment = ProcessInfo.processInfo.environment.merging(["TZ": "UTC"]) { $1 }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// Returns when ZEO is importable; skips the test when it is not and no Python was named,
    /// fails it when the named one cannot import it.
    private func requireZEO() throws {
        let probe = Result { try python(["-c", "import ZEO"]) }
        if case .success(let result) = probe, result.status == 0 { return }
        if let configured = Self.configuredPython {
            let output: String
            switch probe {
            case .success(let result): output = result.output
            case .failure(let error): output = "\(error)"
            }
            throw ZEOUnavailable(python: configured, output: output)
        }
        throw XCTSkip("Python's ZEO is not importable (set STATECACHE_PYTHON, or run `make test`, which installs it)")
    }

    func testZEOCacheStatsAcceptsOurTrace() throws {
        try requireZEO()
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("ours.trace").path
        let writer = try TraceWriter(path: path)
        writer.writeRestart(timestamp: 1_700_000_000)
        for index in 0 ..< 500 {
            let oid = UInt64(index % 37)
            let ts = 1_700_000_001 + UInt32(index)
            if index % 3 == 0 {
                writer.write(.loadMiss, oid: oid, timestamp: ts)
                writer.write(.storeCurrent, oid: oid, tid: UInt64(index + 1), dataLength: 100 + index, timestamp: ts)
            } else {
                writer.write(.loadHit, oid: oid, tid: UInt64(index), dataLength: 100 + index, timestamp: ts)
            }
            if index % 50 == 0 { writer.write(.invalidateHitSavingNonCurrent, oid: oid, tid: UInt64(index + 2), timestamp: ts) }
        }
        try writer.close()
        let (status, output) = try python(["-m", "ZEO.scripts.cache_stats", "-h", "-s", path])
        XCTAssertEqual(status, 0, output)
        XCTAssertTrue(output.contains("_setup_trace (initialization)"), output)

        // And ZEO prints what we print (run time masked), in UTC.
        var options = CacheStatsOptions()
        options.loadHistogram = true
        options.sizeHistograms = true
        let saved = getenv("TZ").map { String(cString: $0) }
        setenv("TZ", "UTC", 1)
        tzset()
        defer {
            if let saved { setenv("TZ", saved, 1) } else { unsetenv("TZ") }
            tzset()
        }
        let sink = MemorySink()
        _ = try CacheStats.run(path: path, options: options, sink: sink)
        XCTAssertEqual(masked(sink.text), masked(output))
    }

    /// Differential check on seeded random traces — well-formed, torn, garbage — with a
    /// different option set each: ZEO's report and ours must be the same bytes; where ZEO
    /// fails, ours must be what the README documents.
    func testRandomTracesReportLikeZEO() throws {
        try requireZEO()
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var random = SplitMix64(seed: 2024)
        var compared = 0
        let optionSets = [[], ["-q"], ["-v"], ["-h", "-s"], ["-i", "1"], ["-q", "-h", "-s", "-i", "0.5"], ["-S", "-h"]]
        for index in 0 ..< 21 {
            var bytes: [UInt8] = []
            var timestamp = UInt32(1_700_000_000)
            for _ in 0 ..< Int.random(in: 0 ... 300, using: &random) {
                timestamp = timestamp &+ [0, 0, 1, 7, 90, 700].randomElement(using: &random)!
                switch Int.random(in: 0 ..< 20, using: &random) {
                case 0: bytes += [UInt8](repeating: 0, count: Int.random(in: 1 ... 8, using: &random))
                case 1: bytes += (0 ..< Int.random(in: 1 ... 30, using: &random)).map { _ in UInt8.random(in: 0 ... 255, using: &random) }
                case 2: bytes += TraceSamples.record(timestamp: timestamp, code: 0, oid: [])
                default:
                    let code = [0x20, 0x22, 0x24, 0x26, 0x52, 0x54, 0x10, 0x1C, 0x1E, 0xA2, 0x23].randomElement(using: &random)!
                    let length = code & 0x7E == 0x22 || code & 0x70 == 0x50 ? Int.random(in: 1 ... 9000, using: &random) : 0
                    let oid = Int.random(in: 0 ..< 30, using: &random) == 0
                        ? (0 ..< Int.random(in: 0 ... 5, using: &random)).map { _ in UInt8.random(in: 0 ... 255, using: &random) }
                        : TraceSamples.oid(UInt64.random(in: 0 ... 40, using: &random))
                    bytes += TraceSamples.record(timestamp: timestamp, code: UInt8(code), dataLength: length, oid: oid,
                                                 tid: .random(in: 0 ... .max, using: &random))
                }
            }
            let path = directory.appendingPathComponent("r\(index).trace").path
            _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
            let arguments = optionSets[index % optionSets.count]
            let zeo = try python(["-m", "ZEO.scripts.cache_stats"] + arguments + [path])

            var options = CacheStatsOptions()
            options.quiet = arguments.contains("-q")
            options.verbose = arguments.contains("-v")
            options.loadHistogram = arguments.contains("-h")
            options.sizeHistograms = arguments.contains("-s")
            options.statistics = !arguments.contains("-S")
            if let i = arguments.firstIndex(of: "-i") {
                options.intervalSeconds = ZEOCommandLine.intervalSeconds(arguments[i + 1])!
            }
            let saved = getenv("TZ").map { String(cString: $0) }
            setenv("TZ", "UTC", 1)
            tzset()
            let sink = MemorySink()
            let outcome = try CacheStats.run(path: path, options: options, sink: sink)
            if let saved { setenv("TZ", saved, 1) } else { unsetenv("TZ") }
            tzset()

            if zeo.status == 0 {
                XCTAssertEqual(masked(sink.text), masked(zeo.output), "trace \(index) \(arguments)")
                XCTAssertEqual(outcome.exitStatus, 0)
                compared += 1
            } else if zeo.output.contains("ZeroDivisionError") {
                XCTAssertTrue(sink.text.contains("average size 0 bytes"), "trace \(index)")
                XCTAssertEqual(outcome.exitStatus, 0)
            } else {
                XCTAssertTrue(zeo.output.contains("No records processed"), "trace \(index): \(zeo.output)")
                XCTAssertEqual(outcome.exitStatus, 1)
            }
        }
        XCTAssertGreaterThanOrEqual(compared, 15, "most random traces are compared byte for byte")
    }


    /// The `Read … in T seconds` line with its run time replaced.
    private func masked(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            guard line.hasPrefix("Read "), let cut = line.range(of: " in ", options: .backwards) else { return String(line) }
            return line[..<cut.upperBound] + "T seconds"
        }.joined(separator: "\n")
    }
}
