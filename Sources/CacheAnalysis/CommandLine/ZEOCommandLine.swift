/// The command line of one of ZEO's tools as Python's argparse reads and words it: the usage
/// and help texts, the error text and exit status, and the argparse spellings that
/// ArgumentParser lacks. `cache-stats` and `cache-simul` each describe theirs with one value
/// (``CacheStatsCommandLine/arguments``, ``CacheSimulCommandLine/arguments``), so both tools
/// and their tests read a command line the same way.
///
/// ArgumentParser does the parsing; this type supplies the words and rewrites the arguments
/// beforehand, so tests can check both without a binary.
package struct ZEOCommandLine: Sendable {
    /// The program name in usage and error lines.
    package let programName: String
    /// The usage lines (argparse's wrapping).
    package let usage: String
    /// The `--help` text.
    package let help: String
    /// The words that ask for ``help``: `--help` always, `-h` where it is not an option.
    package let helpArguments: Set<String>
    /// The exit status after ``help``: 0 in argparse, 2 in `cache_stats.py` (whose `-h` is an option).
    package let helpExitStatus: Int32
    /// Long options (without `--`) that take a value, and those that do not.
    let longValueOptions: [String]
    let longFlags: [String]
    /// Short options that take a value (`-i`), and those that do not (`-q`).
    let shortValueOptions: Set<Character>
    let shortFlags: Set<Character>

    /// A tool's command line. `help` defaults to `usage` alone; `-h` asks for help only when it
    /// is not one of `shortFlags`.
    package init(programName: String, usage: String, help: String, helpExitStatus: Int32,
                longValueOptions: [String], longFlags: [String],
                shortValueOptions: Set<Character>, shortFlags: Set<Character>) {
        self.programName = programName
        self.usage = usage
        self.help = help
        self.helpExitStatus = helpExitStatus
        self.helpArguments = shortFlags.contains("h") ? ["--help"] : ["--help", "-h"]
        self.longValueOptions = longValueOptions
        self.longFlags = longFlags
        self.shortValueOptions = shortValueOptions
        self.shortFlags = shortFlags
    }

    /// The exit status of every command-line error (argparse's).
    package static let usageExitStatus: Int32 = 2

    /// The message for a missing trace-file argument.
    package static let missingTraceFile = "the following arguments are required: tracefile"

    /// The text for a command-line error: the usage, then `<program>: error: <message>`.
    package func errorText(_ message: String) -> String {
        usage + programName + ": error: " + message + "\n"
    }

    /// The message for an option whose value cannot be read, in argparse's words.
    package static func invalidValue(_ option: String, kind: String, _ value: String) -> String {
        "argument \(option): invalid \(kind) value: '\(value)'"
    }

    /// The message for an `-i` value that is not a number.
    package static func invalidInterval(_ value: String) -> String {
        invalidValue("--interval/-i", kind: "interval", value)
    }

    /// The message for a trace file that cannot be opened, in Python's words:
    /// `argument tracefile: can't open 'x': [Errno 2] No such file or directory: 'x'`.
    package static func cannotOpen(path: String, errno code: Int32, systemMessage: String) -> String {
        "argument tracefile: can't open '\(path)': [Errno \(code)] \(systemMessage): '\(path)'"
    }

    /// ZEO's `-i` conversion (both tools'): `int(60 * float(text))` seconds; 0 or less becomes
    /// 60, more than 3600 becomes 3600.
    ///
    /// - Returns: nil when Python's `float()` would reject the text, or for infinities and NaN.
    package static func intervalSeconds(_ text: String) -> Int? {
        guard let minutes = PythonFloat.parse(text) else { return nil }
        return CacheStatsOptions.intervalSeconds(minutes: minutes)
    }

    /// Rewrites the argparse spellings ArgumentParser does not know into ones it does, so the
    /// command line means what it means to ZEO's tool: a value glued to a short option (`-i5`,
    /// `-i=5`), short flags clustered (`-qh`, `-qi5`), `--name=value`, and unique prefixes of
    /// long options (`--inter 5`, `--verb`; an exact name wins over a prefix, `--size` vs
    /// `--sizes`). Everything after `--`, and option values, are left alone; what is no known
    /// option is passed through for ArgumentParser to reject.
    package func normalizedArguments(_ arguments: [String]) -> [String] {
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
                let (resolved, value) = ArgparseSpelling.longOption(argument, among: longValueOptions + longFlags)
                if longValueOptions.contains(resolved) {
                    result.append("--" + resolved)
                    if let value { result.append(String(value)) } else { valueExpected = true }
                } else {
                    result.append("--" + resolved + (value.map { "=" + $0 } ?? ""))
                }
                continue
            }
            let (expanded, expectsValue) = expandedCluster(Array(argument.dropFirst()))
            result.append(contentsOf: expanded ?? [argument])
            valueExpected = expectsValue
        }
        return result
    }

    /// A cluster of short options (`qh`, `qi5`): flags, possibly ending in an option with a glued
    /// value; nil for a letter that is no short option.
    private func expandedCluster(_ cluster: [Character]) -> (arguments: [String]?, expectsValue: Bool) {
        var expanded: [String] = []
        for (position, letter) in cluster.enumerated() {
            if shortValueOptions.contains(letter) {
                expanded.append("-" + String(letter))
                var rest = String(cluster[(position + 1)...])
                if rest.hasPrefix("=") { rest.removeFirst() }
                if rest.isEmpty { return (expanded, true) }
                return (expanded + [rest], false)
            }
            guard shortFlags.contains(letter) else { return (nil, false) }
            expanded.append("-" + String(letter))
        }
        return (expanded, false)
    }
}
