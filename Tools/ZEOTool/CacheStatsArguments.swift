import ArgumentParser
import CacheAnalysis

/// `cache-stats`' command line (ZEO's `cache_stats.py` options, plus `--json`), and how it
/// becomes ``CacheStatsOptions``.
package struct CacheStatsArguments: ZEOArguments {
    package static let commandLine = CacheStatsCommandLine.arguments

    @Flag(name: [.customLong("verbose"), .customShort("v")]) var verbose = false
    @Flag(name: [.customLong("quiet"), .customShort("q")]) var quiet = false
    @Flag(name: [.customLong("sizes"), .customShort("s")]) var sizes = false
    @Flag(name: [.customLong("no-stats"), .customShort("S")]) var noStats = false
    @Flag(name: [.customLong("load-histogram"), .customShort("h")]) var loadHistogram = false
    @Flag(name: [.customLong("check"), .customShort("X")]) var check = false
    // `.unconditional`: the next word is the value even if it starts with `-` (`-i -5`, as argparse).
    @Option(name: [.customLong("interval"), .customShort("i")], parsing: .unconditional) var interval: String?
    @Flag(name: .customLong("json")) var json = false
    /// The trace file (`-` for standard input); nil when missing, which the tool reports.
    @Argument package var tracefile: String?

    package init() {}

    /// The engine's options, or the error ZEO's tool gives for them.
    package func options() throws(ZEOUsageError) -> CacheStatsOptions {
        if verbose && quiet { throw ZEOUsageError(CacheStatsCommandLine.verboseWithQuiet) }
        var options = CacheStatsOptions()
        options.verbose = verbose
        options.quiet = quiet
        options.sizeHistograms = sizes
        options.statistics = !noStats
        options.loadHistogram = loadHistogram
        options.check = check
        options.json = json
        if let interval {
            guard let seconds = ZEOCommandLine.intervalSeconds(interval) else {
                throw ZEOUsageError(ZEOCommandLine.invalidInterval(interval))
            }
            options.intervalSeconds = seconds
        }
        return options
    }
}
