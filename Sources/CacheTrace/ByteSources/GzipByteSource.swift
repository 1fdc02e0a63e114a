import CZlib

/// The uncompressed bytes of gzip data read from another source, through zlib.
///
/// Behaves like Python's `gzip.GzipFile`, which ZEO's tools use: several gzip members in a row
/// are one stream, zero bytes between or after members are padding, and an empty file is an
/// empty stream. Damage is reported, not fatal to what was already decoded: a stream cut short
/// throws ``TraceReadError/truncatedCompressedData(path:offset:)``, corrupt data
/// ``TraceReadError/corruptCompressedData(path:message:offset:)``.
public final class GzipByteSource: TraceByteSource {
    public var name: String { input.source.name }
    private let input: CompressedInput
    /// zlib's state; allocated here because `z_stream` must not move while in use.
    private let stream: UnsafeMutablePointer<z_stream>
    /// Inside a member (its header has been started and its trailer not yet seen).
    private var inMember = false
    /// The stream is over (input exhausted between members) or failed.
    private var finished = false
    private var produced: UInt64 = 0

    /// Decompresses the gzip data of `input`.
    public init(input: any TraceByteSource, inputBufferSize: Int = 256 << 10) {
        self.input = CompressedInput(source: input, bufferSize: inputBufferSize)
        stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        // 15 + 16: the largest window, gzip wrapper only (a zlib or raw stream is an error,
        // as it is for Python's gzip module).
        let status = inflateInit2_(stream, 15 + 16, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        if status != Z_OK { finished = true }
    }

    /// Opens the file at `path` and decompresses it.
    public convenience init(path: String) throws(TraceReadError) {
        self.init(input: try FileByteSource(path: path))
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(TraceReadError) -> Int {
        guard let out = buffer.baseAddress, buffer.count > 0, !finished else { return 0 }
        stream.pointee.next_out = out.assumingMemoryBound(to: Bytef.self)
        stream.pointee.avail_out = uInt(truncatingIfNeeded: Swift.min(buffer.count, Int(UInt32.max)))
        let capacity = Int(stream.pointee.avail_out)
        while Int(stream.pointee.avail_out) == capacity {
            if stream.pointee.avail_in == 0, let chunk = try input.refill() {
                stream.pointee.next_in = chunk.start
                stream.pointee.avail_in = uInt(chunk.count)
            }
            if !inMember {
                // Between members: skip zero padding; the stream may end here, or a member starts.
                while stream.pointee.avail_in > 0 && stream.pointee.next_in.pointee == 0 {
                    stream.pointee.next_in += 1
                    stream.pointee.avail_in -= 1
                }
                if stream.pointee.avail_in == 0 {
                    if input.ended {
                        finished = true
                        break
                    }
                    continue
                }
                inMember = true
            }
            // Called even when all input is consumed: zlib may still hold output (a pending
            // match copy) that only needs room.
            let inputBefore = stream.pointee.avail_in
            let status = inflate(stream, Z_NO_FLUSH)
            let stalled = stream.pointee.avail_in == inputBefore && Int(stream.pointee.avail_out) == capacity
            switch status {
            case Z_STREAM_END:
                inMember = false
                inflateReset(stream)
            case Z_OK, Z_BUF_ERROR:
                if stalled {
                    if stream.pointee.avail_in == 0 && input.ended {
                        // No progress and no input left: the file ends inside the member.
                        finished = true
                        throw .truncatedCompressedData(path: name, offset: produced)
                    } else if stream.pointee.avail_in > 0 {
                        // Never expected from zlib; refuse to spin.
                        finished = true
                        throw .corruptCompressedData(path: name, message: "no progress", offset: produced)
                    }
                }
            default:
                finished = true
                let message = stream.pointee.msg.map { String(cString: $0) } ?? "zlib error \(status)"
                throw .corruptCompressedData(path: name, message: message,
                                             offset: produced + UInt64(capacity - Int(stream.pointee.avail_out)))
            }
        }
        let count = capacity - Int(stream.pointee.avail_out)
        produced += UInt64(count)
        return count
    }

    deinit {
        inflateEnd(stream)
        stream.deinitialize(count: 1)
        stream.deallocate()
    }
}
