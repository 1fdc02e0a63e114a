import ArgumentParser
import CacheAnalysis

/// The part of `cache-simul`'s command line that is ZEO's `cache_simul.py` (`-s`, `-i`, `-r`
/// and the trace file), and how it becomes ``CircularSimulationOptions``. The sweep's options
/// (`--policy`, `--sizes` …) are the tool's own.
package struct CacheSimulArguments: ZEOArguments {
    package static let commandLine = CacheSimulCommandLine.arguments

    // `.unconditional`: the next word is the value even if it starts with `-` (argparse does so
    // for negative numbers).
    @Option(name: [.customLong("size"), .customShort("s")], parsing: .unconditional) package var size: String?
    @Option(name: [.customLong("interval"), .customShort("i")], parsing: .unconditional) var interval: String?
    @Option(name: [.customLong("rearrange"), .customShort("r")], parsing: .unconditional) var rearrange: String?
    /// The trace file (`-` for standard input); nil when missing, which the tool reports.
    @Argument package var tracefile: String?

    package init() {}

    /// The `-s` value in MB (20 by default).
    package func megabytes() throws(ZEOUsageError) -> Double {
        guard let size else { return 20 }
        guard let value = PythonFloat.parse(size), value.isFinite else {
            throw ZEOUsageError(ZEOCommandLine.invalidValue("--size/-s", kind: "size", size))
        }
        return value
    }

    /// The options of ZEO's report, or the error ZEO's tool gives for them.
    package func circularOptions() throws(ZEOUsageError) -> CircularSimulationOptions {
        var options = CircularSimulationOptions()
        guard let limit = CircularSimulationOptions.limit(megabytes: try megabytes()) else {
            throw ZEOUsageError(ZEOCommandLine.invalidValue("--size/-s", kind: "size", size ?? ""))
        }
        guard limit > CircularCacheSimulation.fileHeaderSize else {
            throw ZEOUsageError("argument --size/-s: the cache must be larger than its 12-byte header (got \(limit) bytes)")
        }
        options.limit = limit
        let (seconds, factor) = try intervalAndRearrange()
        if let seconds { options.intervalSeconds = seconds }
        if let factor { options.rearrange = factor }
        return options
    }

    /// The `-i` seconds and the `-r` factor when given, or the error ZEO's tool gives for them.
    /// A sweep does not use them, but checks them all the same: a value ZEO refuses is a usage
    /// error whatever else the command line holds (it was once ignored, exit status 0).
    package func intervalAndRearrange() throws(ZEOUsageError) -> (seconds: Int?, rearrange: Double?) {
        var seconds: Int?
        var factor: Double?
        if let interval {
            guard let value = ZEOCommandLine.intervalSeconds(interval) else {
                throw ZEOUsageError(ZEOCommandLine.invalidInterval(interval))
            }
            seconds = value
        }
        if let rearrange {
            guard let value = PythonFloat.parse(rearrange), !value.isNaN else {
                throw ZEOUsageError(ZEOCommandLine.invalidValue("--rearrange/-r", kind: "float", rearrange))
            }
            factor = value
        }
        return (seconds, factor)
    }
}
