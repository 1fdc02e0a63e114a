import CacheCore
import Foundation

/// What ``CacheDirectory/load(into:identity:readCount:lastTransaction:reachability:)`` did.
public struct CacheFileLoadReport: Sendable {
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
