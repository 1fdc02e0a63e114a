import CLZMA
import CacheTrace

/// The uncompressed bytes of xz data read from another source, through liblzma: how public
/// research traces are often published (cache2k's `web07.trace.xz`, say).
///
/// Like the `xz` tool, it reads several xz streams in a row as one (concatenated streams) and
/// checks every block's integrity check. Damage is reported, not fatal to what was already
/// decoded: a stream cut short throws ``TraceReadError/truncatedCompressedData(path:offset:)``,
/// corrupt data ``TraceReadError/corruptCompressedData(path:message:offset:)``.
public final class XzByteSource: TraceByteSource {
    public var name: String { input.source.name }
    private let input: CompressedInput
    /// liblzma's state; allocated here because `lzma_stream` must not move while in use.
    private let stream: UnsafeMutablePointer<lzma_stream>
    /// The stream is over (its end was decoded) or failed.
    private var finished = false
    private var startFailure: lzma_ret?
    private var produced: UInt64 = 0

    /// Decompresses the xz data of `input`.
    public init(input: any TraceByteSource, inputBufferSize: Int = 256 << 10) {
        self.input = CompressedInput(source: input, bufferSize: inputBufferSize)
        stream = UnsafeMutablePointer<lzma_stream>.allocate(capacity: 1)
        // All zeros is LZMA_STREAM_INIT.
        stream.initialize(to: lzma_stream())
        let status = lzma_stream_decoder(stream, UInt64.max, statecache_lzma_concatenated)
        if status != LZMA_OK { startFailure = status }
    }

    /// Opens the file at `path` and decompresses it.
    public convenience init(path: String) throws(TraceReadError) {
        self.init(input: try FileByteSource(path: path))
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(TraceReadError) -> Int {
        if let failure = startFailure {
            startFailure = nil
            finished = true
            throw .corruptCompressedData(path: name, message: Self.message(failure), offset: 0)
        }
        guard let out = buffer.baseAddress, buffer.count > 0, !finished else { return 0 }
        stream.pointee.next_out = out.assumingMemoryBound(to: UInt8.self)
        stream.pointee.avail_out = buffer.count
        let capacity = buffer.count
        while stream.pointee.avail_out == capacity {
            if stream.pointee.avail_in == 0, let chunk = try input.refill() {
                stream.pointee.next_in = UnsafePointer(chunk.start)
                stream.pointee.avail_in = chunk.count
            }
            // LZMA_FINISH once the input is exhausted: liblzma then says whether the stream ended.
            let status = lzma_code(stream, input.ended ? LZMA_FINISH : LZMA_RUN)
            let decoded = UInt64(capacity - stream.pointee.avail_out)
            switch status {
            case LZMA_OK:
                continue
            case LZMA_STREAM_END:
                finished = true
            case LZMA_BUF_ERROR where input.ended:
                // No progress possible and no input left: the file ends inside a stream.
                finished = true
                throw .truncatedCompressedData(path: name, offset: produced + decoded)
            default:
                finished = true
                throw .corruptCompressedData(path: name, message: Self.message(status), offset: produced + decoded)
            }
            break
        }
        let count = capacity - stream.pointee.avail_out
        produced += UInt64(count)
        return count
    }

    /// What liblzma's status means, in words.
    static func message(_ status: lzma_ret) -> String {
        switch status {
        case LZMA_FORMAT_ERROR: return "not xz data"
        case LZMA_DATA_ERROR: return "xz data is corrupt"
        case LZMA_OPTIONS_ERROR: return "unsupported xz options"
        case LZMA_MEM_ERROR: return "out of memory"
        case LZMA_UNSUPPORTED_CHECK: return "unsupported xz integrity check"
        case LZMA_BUF_ERROR: return "xz stream stalled"
        default: return "liblzma error \(status.rawValue)"
        }
    }

    deinit {
        lzma_end(stream)
        stream.deinitialize(count: 1)
        stream.deallocate()
    }
}
