#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CacheAnalysis
import CacheTrace
import Foundation
import XCTest
import ZEOTool
import TestSupport

/// Runs the cache-stats engine in-process on a ZEO command line, as the manifest spells it.
enum ReportRunner {
    /// The options and the trace path for ZEO-style arguments (`-q -h -s traces/small.trace`),
    /// read as `cache-stats` reads them.
    static func parse(_ arguments: [String]) throws -> (options: CacheStatsOptions, path: String) {
        let parsed = try CacheStatsArguments.parseAsZEO(arguments)
        return (try parsed.options(), parsed.tracefile ?? "")
    }

    /// Where a manifest path lives here: the project's fixtures (a `.gz` copy if that is what
    /// we keep), `.scratch/small.trace.gz` → our gzip copy, `large` → the shared folder.
    static func resolve(_ path: String, shared: URL? = Fixtures.sharedZEO) -> String? {
        if path == "-" { return path }
        let name = URL(fileURLWithPath: path).lastPathComponent
        if name.hasPrefix("large."), let shared { return shared.appendingPathComponent("traces/\(name)").path }
        for candidate in [Fixtures.trace(name), Fixtures.trace(name + ".gz")]
        where FileManager.default.fileExists(atPath: candidate) {
            return candidate
        }
        return nil
    }

    /// Runs `body` with `TZ` set (through `setenv` + `tzset`, as the C library reads it).
    static func withTimeZone<T>(_ zone: String, _ body: () throws -> T) rethrows -> T {
        let saved = getenv("TZ").map { String(cString: $0) }
        setenv("TZ", zone, 1)
        tzset()
        defer {
            if let saved { setenv("TZ", saved, 1) } else { unsetenv("TZ") }
            tzset()
        }
        return try body()
    }

    /// Runs the engine; the report text and the outcome.
    static func run(path: String, options: CacheStatsOptions, timeZone: String = "UTC",
                    shouldStop: () -> Bool = { false }) throws -> (text: String, outcome: CacheStatsOutcome) {
        try withTimeZone(timeZone) {
            let sink = MemorySink()
            let outcome = try CacheStats.run(path: path, options: options, sink: sink, shouldStop: shouldStop)
            return (sink.text, outcome)
        }
    }
}
