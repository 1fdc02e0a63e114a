/// The command-line text of `cache-stats`: help and usage in the layout of ZEO's
/// `cache_stats.py` (Python's argparse at 80 columns), and its options for ``ZEOCommandLine``.
///
/// ArgumentParser does the parsing; this type only supplies the words, so that `--help`, a
/// missing trace file or a bad option look as they do in ZEO (with our program name and the
/// extra `--json` option). It lives in the library so tests can check it without a binary.
package enum CacheStatsCommandLine {
    /// The program name in usage and error lines.
    package static let programName = "cache-stats"

    /// The usage lines (argparse's wrapping: options continue under the first one, the
    /// positional argument gets its own line).
    package static let usage = """
        usage: cache-stats [--verbose | --quiet] [--sizes] [--no-stats]
                           [--load-histogram] [--check] [--interval INTERVAL] [--json]
                           tracefile

        """

    /// `--help` (printed to standard output, exit status 2 as in ZEO, whose `-h` means
    /// something else).
    package static let help = usage + """

        Trace file statistics analyzer

        positional arguments:
          tracefile             The trace to read; may be gzipped

        options:
          --verbose, -v         Be verbose; print each record
          --quiet, -q           Reduce output; don't print summaries
          --sizes, -s           print histogram of object sizes
          --no-stats, -S        don't print statistics
          --load-histogram, -h  print histogram of object load frequencies
          --check, -X           accepted for compatibility with ZEO; has no effect
                                (ZEO never implemented its heuristic check either)
          --interval INTERVAL, -i INTERVAL
                                summarizing interval in minutes (default 15; max 60)
          --json                print a machine-readable summary (JSON) instead of the
                                report

        """

    /// The command line: its texts, ZEO's exit status 2 after `--help`, and its options.
    package static let arguments = ZEOCommandLine(
        programName: programName, usage: usage, help: help, helpExitStatus: ZEOCommandLine.usageExitStatus,
        longValueOptions: ["interval"],
        longFlags: ["verbose", "quiet", "sizes", "no-stats", "load-histogram", "check", "json", "help"],
        shortValueOptions: ["i"], shortFlags: ["v", "q", "s", "S", "h", "X"])

    /// The message for `-v` together with `-q`.
    package static let verboseWithQuiet = "argument --quiet/-q: not allowed with argument --verbose/-v"
}
