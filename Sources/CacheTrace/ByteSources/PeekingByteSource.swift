/// A byte source whose first few bytes are read ahead, so a reader can tell what the stream is
/// (plain, gzip, xz, another compressor: ``InputCompression``) before choosing a decoder — also
/// on a pipe, which cannot be rewound. The bytes read ahead are handed out again first.
///
/// ```swift
/// let peeked = try PeekingByteSource(FileByteSource.standardInput())
/// InputCompression.detect(prefix: peeked.prefix)   // .gzip, .xz, .none, …
/// ```
package final class PeekingByteSource: TraceByteSource {
    /// How many bytes are read ahead: enough for every magic number ``InputCompression`` knows.
    package static let peekLength = InputCompression.magicLength

    package var name: String { source.name }
    /// The stream's first bytes (fewer when the stream is shorter).
    package let prefix: [UInt8]
    private let source: any TraceByteSource
    /// How much of ``prefix`` has been handed out.
    private var replayed = 0

    /// Reads the first ``peekLength`` bytes of `source` (or all of a shorter stream).
    ///
    /// - Throws: the source's read error.
    package init(_ source: any TraceByteSource) throws(TraceReadError) {
        self.source = source
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: PeekingByteSource.peekLength, alignment: 1)
        defer { buffer.deallocate() }
        var filled = 0
        while filled < buffer.count {
            let count = try source.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[filled...]))
            if count == 0 { break }
            filled += count
        }
        prefix = Array(buffer.prefix(filled))
    }

    package func read(into buffer: UnsafeMutableRawBufferPointer) throws(TraceReadError) -> Int {
        if replayed < prefix.count {
            let count = Swift.min(buffer.count, prefix.count - replayed)
            prefix[replayed ..< replayed + count].withUnsafeBytes { bytes in
                buffer.baseAddress!.copyMemory(from: bytes.baseAddress!, byteCount: count)
            }
            replayed += count
            return count
        }
        return try source.read(into: buffer)
    }
}
