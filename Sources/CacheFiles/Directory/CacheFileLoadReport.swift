import CacheCore
import Foundation

/// What ``CacheDirectory/load(into:identity:readCount:lastTransaction:reachability:)`` did.
public struct CacheFileLoadReport: Sendable, CustomStringConvertible {
    /// A file that was skipped and removed, and why.
    public struct Rejection: Sendable {
        /// The file (removed).
        public var file: URL
        /// Why it could not be used.
        public var problem: CacheFileProblem
    }

    /// The checkpoints of the newest file, to adopt; nil when nothing was restored.
    public var checkpoints: Checkpoints?
    /// The reachability rule used (its ``CacheReachability/deltaAfter1`` seeds the process's
    /// checkpoint epoch); nil when nothing was restored.
    package var reachability: CacheReachability?
    /// The files read, newest first.
    public var filesRead: [URL] = []
    /// Entries restored into the cache.
    public var entriesRestored = 0
    /// Entries read but not restored: unreachable, already cached, or no room left.
    public var entriesSkipped = 0
    /// Bytes read: headers and entry records (uncompressed).
    public var bytesRead = 0
    /// Files skipped and removed.
    public var rejected: [Rejection] = []
    /// Wall-clock time.
    public var seconds = 0.0

    /// An empty report.
    package init() {}

    /// One line, e.g. `restored 2000 entries from 1 file (skipped 12, 0 files rejected, 118 KB read) in 0.004 s`;
    /// rejected files are named with their problem.
    public var description: String {
        var line = "restored \(entriesRestored) entries from \(filesRead.count) file\(filesRead.count == 1 ? "" : "s") "
            + "(skipped \(entriesSkipped), \(rejected.count) file\(rejected.count == 1 ? "" : "s") rejected, "
            + "\(bytesRead / 1000) KB read) in \(String(format: "%.3f", seconds)) s"
        if let checkpoints { line += ", checkpoints \(checkpoints)" }
        for rejection in rejected.prefix(3) { line += "; rejected \(rejection.file.lastPathComponent): \(rejection.problem)" }
        if rejected.count > 3 { line += "; …" }
        return line
    }
}
