import Foundation

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
