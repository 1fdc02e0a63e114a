/// The compressed side of a decompressing byte source: the source it reads, a buffer of its
/// bytes for the decoder to consume, and whether that source is exhausted. ``GzipByteSource``
/// and ``XzByteSource`` each feed their library from one.
package final class CompressedInput {
    /// The compressed source.
    package let source: any TraceByteSource
    /// The buffer ``refill()`` fills; owned here and freed at deinit.
    private let buffer: UnsafeMutableRawBufferPointer
    /// The source returned 0: no more compressed bytes will come.
    package private(set) var ended = false

    /// Reads `source` in chunks of `bufferSize` bytes (at least 4 KiB).
    package init(source: any TraceByteSource, bufferSize: Int) {
        self.source = source
        buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: Swift.max(bufferSize, 4096), alignment: 16)
    }

    /// The next chunk of compressed bytes, valid until the next call; nil once the source is
    /// exhausted (and ``ended`` is then true). Never an empty chunk.
    package func refill() throws(TraceReadError) -> (start: UnsafeMutablePointer<UInt8>, count: Int)? {
        guard !ended else { return nil }
        let count = try source.read(into: buffer)
        guard count > 0 else {
            ended = true
            return nil
        }
        return (buffer.baseAddress!.assumingMemoryBound(to: UInt8.self), count)
    }

    deinit {
        buffer.deallocate()
    }
}
