import ArgumentParser
import CacheCore
import CacheFiles
import CacheTrace
import Foundation
import SQLiteStorage

/// `statecache inspect DIR`: what a cache directory holds — one line per cache file (prefix,
/// database identity, entries, bytes, newest data, checkpoints, valid or why not), then the
/// trace files. Read-only: nothing is removed or repaired.
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "List the cache files and traces of a cache directory, checking every file.",
        discussion: """
            Every cache file is read whole and every checksum compared; a file is "valid" when \
            all of them match (whether it fits a particular database — identity, last \
            transaction — is checked when a database opens, not here). TIDs are shown as UTC \
            dates. Exit status: 0, or 1 when some file is invalid.
            """
    )

    @Argument(help: "The cache directory (cacheLocalDir).") var directory: String
    @Flag(help: "List every entry of each valid file (oid, key TID, actual TID, frequency, region, payload bytes).")
    var entries = false

    func run() throws {
        let url = URL(fileURLWithPath: directory)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            throw ValidationError("\(directory) does not exist")
        }
        guard isDirectory.boolValue else { throw ValidationError("\(directory) is not a directory") }
        guard FileManager.default.isReadableFile(atPath: url.path) else {
            throw ValidationError("\(directory) cannot be read (permission denied)")
        }
        var invalid = 0
        let files = CacheFileInspector.cacheFiles(in: url)
        print("Cache files in \(url.path): \(files.count)")
        for file in files {
            let summary = CacheFileInspector.summary(of: file)
            print(Self.line(summary))
            if summary.problem != nil && !summary.isTemporary { invalid += 1 }
            if entries, summary.problem == nil, !summary.isTemporary {
                _ = try? CacheFileInspector.forEachEntry(inFileAt: file) { print(Self.line($0)) }
            }
        }
        let traces = ((try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? [])
            .filter { $0.hasPrefix("statecache-trace-") && $0.hasSuffix(".trace") }.sorted()
        print("Trace files: \(traces.count)")
        for name in traces { print(Self.traceLine(url.appendingPathComponent(name))) }
        if invalid > 0 {
            // The lines above say which files and why; standard error says that something is wrong.
            FileHandle.standardError.write(Data("statecache inspect: error: \(invalid) of \(files.count) cache file(s) invalid\n".utf8))
            throw ExitCode(1)
        }
    }

    /// `name  prefix  database  entries  bytes  newest  checkpoints  status`.
    static func line(_ summary: CacheFileSummary) -> String {
        var fields = [summary.url.lastPathComponent]
        if let header = summary.header {
            fields += [
                "prefix=\(header.prefix)",
                "database=\(DatabaseIdentity(bytes: header.databaseIdentity)?.uuidString ?? "?")",
                "entries=\(ToolFormat.count(header.entryCount))",
                "bytes=\(ToolFormat.count(summary.size))" + (header.isCompressed ? " (lz4, \(ToolFormat.count(header.entryBytes)) raw)" : ""),
                "newest=\(header.newestTID.utcDateString) UTC",
                "checkpoints=(\(header.checkpoints.cp0.utcDateString), \(header.checkpoints.cp1.utcDateString)) UTC",
            ]
        } else {
            fields.append("bytes=\(ToolFormat.count(summary.size))")
        }
        if summary.isTemporary {
            fields.append("incomplete: being written, or left by a writer that died (never read)")
        } else if let problem = summary.problem {
            fields.append("INVALID: \(problem)")
        } else {
            fields.append("valid")
        }
        return fields.joined(separator: "  ")
    }

    static func line(_ entry: PersistedEntry) -> String {
        "  oid \(entry.key.oid)  key TID \(entry.key.tid.rawValue)  actual TID \(entry.actualTID.rawValue)  "
            + "frequency \(entry.frequency)  \(entry.region)  \(entry.payload.count) bytes"
    }

    static func traceLine(_ url: URL) -> String {
        let size = ((try? FileManager.default.attributesOfItem(atPath: url.path)[.size]) as? NSNumber)?.intValue ?? 0
        do {
            let reader = try TraceReader(path: url.path)
            try reader.forEachRecord { _, _ in }
            var line = "\(url.lastPathComponent)  bytes=\(ToolFormat.count(size))  records=\(ToolFormat.count(reader.recordCount))"
            if let truncation = reader.truncation { line += "  (incomplete last record: \(truncation))" }
            return line
        } catch {
            return "\(url.lastPathComponent)  bytes=\(ToolFormat.count(size))  unreadable: \(error)"
        }
    }
}
