import CacheAnalysis
import CacheTrace
import Foundation
import ZEOTool

/// Runs `cache-simul`'s engines in-process on a ZEO command line, as the manifest spells it.
enum SimulRunner {
    /// The options and the trace path for ZEO-style `cache_simul` arguments (`-s 4 -i 5 traces/x`),
    /// read as `cache-simul` reads them.
    static func parse(_ arguments: [String]) throws -> (options: CircularSimulationOptions, path: String) {
        let parsed = try CacheSimulArguments.parseAsZEO(arguments)
        return (try parsed.circularOptions(), parsed.tracefile ?? "")
    }

    /// Runs ZEO's simulation on `path` with `TZ` set; the report and the outcome.
    static func run(path: String, options: CircularSimulationOptions,
                    timeZone: String = "UTC") throws -> (text: String, outcome: CircularSimulationOutcome) {
        try ReportRunner.withTimeZone(timeZone) {
            let sink = MemorySink()
            let outcome = try CircularSimulationRunner.run(path: path, options: options, sink: sink)
            return (sink.text, outcome)
        }
    }
}
