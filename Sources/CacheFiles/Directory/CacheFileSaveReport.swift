import Foundation

/// What ``CacheDirectory/save(_:identity:reachability:options:)`` did.
public struct CacheFileSaveReport: Sendable, CustomStringConvertible {
    /// The file written; nil when there was nothing worth writing.
    public internal(set) var file: URL?
    /// Entries written.
    public internal(set) var entries = 0
    /// Entries left out because no later view could reach them (``CacheReachability``).
    public internal(set) var unreachableEntries = 0
    /// Entries left out by the size cap (the least valuable ones).
    public internal(set) var cappedEntries = 0
    /// The file's size.
    public internal(set) var bytes = 0
    /// The entry records' raw size.
    public internal(set) var entryBytes = 0
    /// Files of the prefix removed afterwards (the oldest beyond the count, damaged or
    /// foreign ones, abandoned temporary files).
    public internal(set) var removedFiles: [URL] = []
    /// Wall-clock time of the whole save, pruning included.
    public internal(set) var seconds = 0.0

    /// An empty report.
    package init() {}

    /// One line, e.g. `wrote 2000 entries (1.2 MB) to main-….cache, left out 3 unreachable and 0 capped, removed 1 file, in 0.010 s`.
    public var description: String {
        let target = file.map { "to \($0.lastPathComponent)" } ?? "(no file: nothing worth writing)"
        return "wrote \(entries) entries (\(String(format: "%.1f", Double(bytes) / 1_000_000)) MB) \(target), "
            + "left out \(unreachableEntries) unreachable and \(cappedEntries) capped, "
            + "removed \(removedFiles.count) file\(removedFiles.count == 1 ? "" : "s"), in \(String(format: "%.3f", seconds)) s"
    }
}
