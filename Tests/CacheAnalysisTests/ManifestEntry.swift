import Foundation
import TestSupport

/// One line of `expected/MANIFEST.tsv`: a reference output of ZEO's tools and how it was made.
struct ManifestEntry {
    /// The expected stdout file, its exit status and stderr file (nil for `-`).
    var output: String
    var exitStatus: Int32
    var stderrFile: String?
    /// The shell command, e.g. `TZ=America/New_York python -m ZEO.scripts.cache_stats traces/small.trace`.
    var command: String

    /// `TZ` set in front of the command, if any.
    var timeZone: String?
    /// The tool's arguments (after `python -m ZEO.scripts.X`), redirections removed.
    var arguments: [String]
    /// `< file`: standard input redirected from this trace.
    var stdinFile: String?
    /// `cat file |`: standard input is a pipe fed from this trace.
    var pipedFile: String?
    /// Which tool: `cache_stats` or `cache_simul`.
    var tool: String

    /// Parses `fixtures/zeo/expected/MANIFEST.tsv` (from `folder`).
    static func load(from folder: URL = Fixtures.zeo) throws -> [ManifestEntry] {
        let text = try String(contentsOf: folder.appendingPathComponent("expected/MANIFEST.tsv"), encoding: .utf8)
        return text.split(separator: "\n").compactMap { line in
            guard !line.hasPrefix("#") else { return nil }
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard fields.count == 4, let status = Int32(fields[1]) else { return nil }
            return ManifestEntry(output: fields[0], exitStatus: status, stderrFile: fields[2] == "-" ? nil : fields[2],
                                 command: fields[3])
        }
    }

    init(output: String, exitStatus: Int32, stderrFile: String?, command: String) {
        self.output = output
        self.exitStatus = exitStatus
        self.stderrFile = stderrFile
        self.command = command
        var words = command.split(separator: " ").map(String.init)
        if let first = words.first, first.hasPrefix("TZ=") {
            timeZone = String(first.dropFirst(3))
            words.removeFirst()
        }
        if words.first == "cat", words.count > 3, words[2] == "|" {
            pipedFile = words[1]
            words.removeFirst(3)
        }
        if let redirect = words.firstIndex(of: "<"), redirect + 1 < words.count {
            stdinFile = words[redirect + 1]
            words.removeSubrange(redirect...)
        }
        // python -m ZEO.scripts.cache_stats ARGS
        tool = words.count > 2 ? String(words[2].split(separator: ".").last ?? "") : ""
        arguments = Array(words.dropFirst(3))
    }

    /// The trace named in the arguments (`-` for standard input), if any.
    var traceArgument: String? { arguments.last { $0 == "-" || $0.contains("/") } }
}
