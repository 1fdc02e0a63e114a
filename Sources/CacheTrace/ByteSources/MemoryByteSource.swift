/// Bytes held in memory, optionally handed out in small chunks.
///
/// Tests use the chunking to make records straddle every possible refill boundary, the way a
/// pipe can deliver them.
package final class MemoryByteSource: TraceByteSource {
    package let name: String
    private let bytes: [UInt8]
    private let maxChunk: Int
    private var position = 0

    /// A source over `bytes` that returns at most `maxChunk` bytes per read.
    package init(_ bytes: [UInt8], name: String = "<memory>", maxChunk: Int = .max) {
        self.bytes = bytes
        self.name = name
        self.maxChunk = Swift.max(1, maxChunk)
    }

    package func read(into buffer: UnsafeMutableRawBufferPointer) throws(TraceReadError) -> Int {
        let count = Swift.min(buffer.count, maxChunk, bytes.count - position)
        guard count > 0 else { return 0 }
        bytes.withUnsafeBytes { source in
            buffer.baseAddress!.copyMemory(from: source.baseAddress! + position, byteCount: count)
        }
        position += count
        return count
    }
}
