/// The command-line text of `cache-stats`: help, usage and error messages in the layout of
/// ZEO's `cache_stats.py` (Python's argparse at 80 columns), and ZEO's reading of `-i`.
///
/// ArgumentParser does the parsing; this type only supplies the words, so that `--help`, a
/// missing trace file or a bad option look as they do in ZEO (with our program name and the
/// extra `--json` option). It lives in the library so tests can check it without a binary.
public enum CacheStatsCommandLine {
    /// The program name in usage and error lines.
    public static let programName = "cache-stats"

    /// The usage lines (argparse's wrapping: options continue under the first one, the
    /// positional argument gets its own line).
    public static let usage = """
        usage: cache-stats [--verbose | --quiet] [--sizes] [--no-stats]
                           [--load-histogram] [--check] [--interval INTERVAL] [--json]
                           tracefile

        """

    /// `--help` (printed to standard output, exit status 2 as in ZEO, whose `-h` means
    /// something else).
    public static let help = usage + """

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

    /// The exit status of `--help` and of every command-line error (argparse's).
    public static let usageExitStatus: Int32 = 2

    /// The text for a command-line error: the usage, then `cache-stats: error: <message>`.
    public static func errorText(_ message: String) -> String {
        usage + programName + ": error: " + message + "\n"
    }

    /// The message for a missing trace-file argument.
    public static let missingTraceFile = "the following arguments are required: tracefile"

    /// The message for `-v` together with `-q`.
    public static let verboseWithQuiet = "argument --quiet/-q: not allowed with argument --verbose/-v"

    /// The message for a trace file that cannot be opened, in Python's words:
    /// `argument tracefile: can't open 'x': [Errno 2] No such file or directory: 'x'`.
    public static func cannotOpen(path: String, errno code: Int32, systemMessage: String) -> String {
        "argument tracefile: can't open '\(path)': [Errno \(code)] \(systemMessage): '\(path)'"
    }

    /// The message for an `-i` value that is not a number.
    public static func invalidInterval(_ value: String) -> String {
        "argument --interval/-i: invalid interval value: '\(value)'"
    }

    /// The long options (without `--`) and the short flags that take no value.
    private static let longOptions = ["verbose", "quiet", "sizes", "no-stats", "load-histogram", "check",
                                      "interval", "json", "help"]
    private static let shortFlags: Set<Character> = ["v", "q", "s", "S", "h", "X"]

    /// Rewrites the argparse spellings ArgumentParser does not know into ones it does, so the
    /// command line means what it means to ZEO's tool: `-i5` and `-i=5` (a value glued to a
    /// short option), `-qi5` (flags clustered with it) and unique prefixes of long options
    /// (`--inter 5`, `--verb`). Everything after `--`, and the value of `-i`, is left alone.
    public static func normalizedArguments(_ arguments: [String]) -> [String] {
        var result: [String] = []
        var valueExpected = false
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            if valueExpected || argument == "-" || !argument.hasPrefix("-") {
                valueExpected = false
                result.append(argument)
                continue
            }
            if argument == "--" {
                result.append(contentsOf: arguments[(index - 1)...])
                break
            }
            if argument.hasPrefix("--") {
                let (resolved, value) = ArgparseSpelling.longOption(argument, among: longOptions)
                result.append("--" + resolved + (value.map { "=" + $0 } ?? ""))
                valueExpected = resolved == "interval" && value == nil
                continue
            }
            // A cluster of short options: flags, possibly ending in -i with a glued value.
            // Anything else (an unknown letter) is passed through for ArgumentParser to reject.
            let cluster = Array(argument.dropFirst())
            var expanded: [String] = []
            var valid = true
            for (position, flag) in cluster.enumerated() {
                if flag == "i" {
                    expanded.append("-i")
                    var rest = String(cluster[(position + 1)...])
                    if rest.hasPrefix("=") { rest.removeFirst() }
                    if rest.isEmpty { valueExpected = true } else { expanded.append(rest) }
                    break
                }
                guard shortFlags.contains(flag) else { valid = false; break }
                expanded.append("-" + String(flag))
            }
            result.append(contentsOf: valid ? expanded : [argument])
        }
        return result
    }

    /// ZEO's `-i` conversion: `int(60 * float(text))` seconds; 0 or less becomes 60, more
    /// than 3600 becomes 3600.
    ///
    /// - Returns: nil when Python's `float()` would reject the text, or for infinities and NaN.
    public static func intervalSeconds(_ text: String) -> Int? {
        guard let minutes = pythonFloat(text) else { return nil }
        return CacheStatsOptions.intervalSeconds(minutes: minutes)
    }

    /// Python's `float()` on a string: surrounding whitespace, an optional sign, decimal digits
    /// with single underscores between them, an optional fraction and exponent, or
    /// `inf`/`infinity`/`nan` in any case. No hex, unlike Swift's `Double(_:)`.
    public static func pythonFloat(_ text: String) -> Double? {
        let trimmed = text.trimmingWhitespace()
        var chars = Array(trimmed.utf8)
        var index = 0
        if index < chars.count && (chars[index] == UInt8(ascii: "+") || chars[index] == UInt8(ascii: "-")) {
            index += 1
        }
        let body = String(decoding: chars[index...], as: UTF8.self).lowercased()
        if ["inf", "infinity", "nan"].contains(body) { return Double(trimmed.lowercased()) }

        // digits ( '_' digits )*, as Python allows in numeric literals.
        func digitRun() -> Bool {
            let begin = index
            while index < chars.count {
                if chars[index] >= UInt8(ascii: "0") && chars[index] <= UInt8(ascii: "9") {
                    index += 1
                } else if chars[index] == UInt8(ascii: "_") && index > begin && index + 1 < chars.count
                            && chars[index + 1] >= UInt8(ascii: "0") && chars[index + 1] <= UInt8(ascii: "9")
                            && chars[index - 1] != UInt8(ascii: "_") {
                    index += 1
                } else {
                    break
                }
            }
            return index > begin
        }
        let integerPart = digitRun()
        var fractionPart = false
        if index < chars.count && chars[index] == UInt8(ascii: ".") {
            index += 1
            fractionPart = digitRun()
        }
        guard integerPart || fractionPart else { return nil }
        if index < chars.count && (chars[index] == UInt8(ascii: "e") || chars[index] == UInt8(ascii: "E")) {
            index += 1
            if index < chars.count && (chars[index] == UInt8(ascii: "+") || chars[index] == UInt8(ascii: "-")) {
                index += 1
            }
            guard digitRun() else { return nil }
        }
        guard index == chars.count else { return nil }
        chars.removeAll { $0 == UInt8(ascii: "_") }
        return Double(String(decoding: chars, as: UTF8.self))
    }
}

extension String {
    /// The string without leading and trailing whitespace (spaces, tabs, newlines, …).
    fileprivate func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })!
        return String(scalars[first ... last])
    }
}
