import Foundation

/// What `statecache inspect` shows about one file in a cache directory.
package struct CacheFileSummary: Sendable {
    /// The file.
    package var url: URL
    /// Its size in bytes.
    package var size: Int
    /// Its header, when that much could be read.
    package var header: CacheFileHeader?
    /// Why the file is not valid; nil when every checksum and count matched.
    package var problem: CacheFileProblem?
    /// A file still being written, or left behind by a writer that died (`.cache.tmp`).
    package var isTemporary: Bool
}
