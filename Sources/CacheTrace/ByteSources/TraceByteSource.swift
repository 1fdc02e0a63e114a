/// A stream of trace bytes: a file, a pipe, gzip data, or memory.
///
/// ``TraceReader`` pulls large chunks (1 MiB by default) from a source and decodes records out
/// of its own buffer, so a source only has to fill buffers; it is called once per chunk, never
/// per record.
public protocol TraceByteSource: AnyObject {
    /// What the source reads, for messages (a path, or `-` for standard input).
    var name: String { get }

    /// Fills `buffer` with up to `buffer.count` bytes and returns how many; 0 means the stream
    /// has ended. A short count is not the end (pipes deliver what they have).
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(TraceReadError) -> Int
}
