import CacheCore
import Foundation

/// What ``CacheDirectory/save(_:identity:reachability:options:)`` did.
public struct CacheFileSaveReport: Sendable {
    /// The file written; nil when there was nothing worth writing.
    public var file: URL?
    /// Entries written.
    public var entries = 0
    /// Entries left out because no later view could reach them (``CacheReachability``).
    public var unreachableEntries = 0
    /// Entries left out by the size cap (the least valuable ones).
    public var cappedEntries = 0
    /// The file's size.
    public var bytes = 0
    /// The entry records' raw size.
    public var entryBytes = 0
    /// Files of the prefix removed afterwards (the oldest beyond the count, damaged or
    /// foreign ones, abandoned temporary files).
    public var removedFiles: [URL] = []
    /// Wall-clock time of the whole save, pruning included.
    public var seconds = 0.0

    /// An empty report.
    public init() {}
}

/// What ``CacheDirectory/load(into:identity:readCount:lastTransaction:reachability:)`` did.
public struct CacheFileLoadReport: Sendable {
    /// A file that was skipped and removed, and why.
    public struct Rejection: Sendable {
        public var file: URL
        public var problem: CacheFileProblem
    }

    /// The checkpoints of the newest file, to adopt; nil when nothing was restored.
    public var checkpoints: CacheFileCheckpoints?
    /// The reachability rule used (its ``CacheReachability/deltaAfter1`` seeds the process's
    /// checkpoint epoch); nil when nothing was restored.
    public var reachability: CacheReachability?
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
    public init() {}
}

/// What `statecache inspect` shows about one file in a cache directory.
public struct CacheFileSummary: Sendable {
    /// The file.
    public var url: URL
    /// Its size in bytes.
    public var size: Int
    /// Its header, when that much could be read.
    public var header: CacheFileHeader?
    /// Why the file is not valid; nil when every checksum and count matched.
    public var problem: CacheFileProblem?
    /// A file still being written, or left behind by a writer that died (`.cache.tmp`).
    public var isTemporary: Bool
}
