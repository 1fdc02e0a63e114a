import CacheAnalysis
import CacheTrace
import Foundation

/// Runs `cache-simul`'s engines in-process on a ZEO command line, as the manifest spells it.
enum SimulRunner {
    /// The options and the trace path for ZEO-style `cache_simul` arguments (`-s 4 -i 5 traces/x`).
    static func parse(_ arguments: [String]) -> (options: CircularSimulationOptions, path: String) {
        var options = CircularSimulationOptions()
        let (words, operands) = CacheSimulCommandLine.arguments.words(arguments)
        for (name, value) in words {
            switch name {
            case "-s", "--size":
                let megabytes = PythonFloat.parse(value ?? "") ?? .nan
                options.limit = CircularSimulationOptions.limit(megabytes: megabytes) ?? -1
            case "-i", "--interval": options.intervalSeconds = ZEOCommandLine.intervalSeconds(value ?? "") ?? -1
            case "-r", "--rearrange": options.rearrange = PythonFloat.parse(value ?? "") ?? .nan
            default: break
            }
        }
        return (options, operands.last ?? "")
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
