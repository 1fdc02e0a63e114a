/// Streams the records of a trace file — plain, gzip, or standard input — without ever failing on
/// its content.
///
/// ```swift
/// let reader = try TraceReader(path: "app.trace.gz")
/// try reader.forEachEvent { event in
///     if case .record(let record, _) = event { print(record.code, record.oid) }
/// }
/// print(reader.bytesRead, reader.truncation as Any)
/// ```
///
/// **Input**, as ZEO's tools choose it: `-` is standard input (a redirected file or a pipe; we
/// never seek), a path ending in `.gz` is gunzipped, anything else is read raw; and gzip data
/// is decompressed whatever its name, told by its first bytes (bzip2, zstd and LZ4 data are
/// refused: ``TraceReadError/unsupportedCompression(path:name:command:)``; xz data is read by
/// the tools, through CacheAnalysis's `TraceInput`).
///
/// **Damaged content is data, not an error.** A header with timestamp 0 is stepped over as
/// ``misalignmentRecovery`` says and reported as ``TraceEvent/skipped(_:)``; an incomplete
/// record at the end stops the walk and is reported in ``truncation``; anything else — unknown
/// codes, absurd oid lengths — decodes into records exactly as ZEO's tools decode it, so that
/// reports stay comparable. Only a failing file or corrupt gzip data throws
/// (``TraceReadError``), after every record before the failure was delivered.
///
/// **Speed.** The reader pulls 1 MiB chunks from its ``TraceByteSource`` and decodes each record
/// in place from the buffer into a ``TraceRecord`` (a plain struct), so the per-record path does
/// no allocation, no locking and no system call. Guarded by `statecache bench trace`.
///
/// A reader is single-use and not thread-safe: one thread walks it once.
public final class TraceReader {
    /// What is being read (a path, or `-`).
    public let name: String
    /// How a zero-timestamp header is stepped over.
    public let misalignmentRecovery: MisalignmentRecovery

    /// The stream position reached: after a complete walk, the length of the (uncompressed)
    /// stream, incomplete tail included — the figure ZEO's `cache_stats` reports as bytes read.
    public private(set) var bytesRead: UInt64 = 0
    /// The records delivered so far.
    public private(set) var recordCount = 0
    /// The zero-timestamp headers stepped over so far.
    public private(set) var skipCount = 0
    /// The incomplete record the stream ended with, if any (known once the walk is complete).
    public private(set) var truncation: TraceTruncation?
    /// Whether the walk reached the end of the stream.
    public private(set) var isFinished = false

    private let source: any TraceByteSource
    /// The chunk buffer; always large enough for the largest possible record.
    private let buffer: UnsafeMutableRawBufferPointer
    /// Buffer indices of the next unread byte and of the end of valid data.
    private var start = 0
    private var end = 0
    /// The stream offset of `buffer[0]`.
    private var bufferOffset: UInt64 = 0
    private var sourceEnded = false

    /// The default chunk size: large reads keep system-call and refill costs negligible.
    public static let defaultBufferSize = 1 << 20

    /// Reads from `source`.
    ///
    /// - Parameters:
    ///   - source: the bytes of the trace (a file, standard input, a gzip stream).
    ///   - recovery: how to step over zero-timestamp headers (ZEO's default unless you are
    ///     reproducing `cache_stats -q`).
    ///   - bufferSize: the chunk size; raised to at least two of the largest records (2 × 65,561
    ///     bytes), so a refill always has room.
    public init(source: any TraceByteSource, recovery: MisalignmentRecovery = .skipEightBytes,
                bufferSize: Int = TraceReader.defaultBufferSize) {
        self.source = source
        self.name = source.name
        self.misalignmentRecovery = recovery
        let capacity = Swift.max(bufferSize, 2 * TraceFormat.maxRecordSize)
        buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: capacity, alignment: 16)
    }

    /// Opens `path` as ZEO's tools do — `-` is standard input, a name ending in `.gz` is
    /// gunzipped, anything else is read raw — and, beyond them, tells compressed data by its
    /// first bytes (``InputCompression``): gzip data is decompressed whatever the name, data of
    /// another compressor is refused rather than read as records. xz data is refused here too;
    /// the tools open traces through CacheAnalysis's `TraceInput`, which also reads xz.
    ///
    /// - Throws: ``TraceReadError/cannotOpen(path:errno:)``,
    ///   ``TraceReadError/unsupportedCompression(path:name:command:)``, or the error of reading
    ///   the first bytes.
    public convenience init(path: String, recovery: MisalignmentRecovery = .skipEightBytes,
                            bufferSize: Int = TraceReader.defaultBufferSize) throws(TraceReadError) {
        try self.init(path: path, recovery: recovery, bufferSize: bufferSize, xz: nil)
    }

    /// Opens `path` as ``init(path:recovery:bufferSize:)`` does, with `xz` to decode xz data
    /// (CacheAnalysis's `TraceInput` passes liblzma's decoder).
    package convenience init(path: String, recovery: MisalignmentRecovery = .skipEightBytes,
                             bufferSize: Int = TraceReader.defaultBufferSize,
                             xz: ((any TraceByteSource) -> any TraceByteSource)?) throws(TraceReadError) {
        let raw: any TraceByteSource = path == "-" ? FileByteSource.standardInput() : try FileByteSource(path: path)
        let source = try InputCompression.decompressing(raw, gzipByName: path.hasSuffix(".gz"), xz: xz)
        self.init(source: source, recovery: recovery, bufferSize: bufferSize)
    }

    deinit {
        buffer.deallocate()
    }

    /// Walks the rest of the trace, calling `body` for every record and every skipped header, in
    /// stream order.
    ///
    /// The event's `oidBytes` are valid only during the call. If `body` throws, the walk stops
    /// there and the error propagates; calling again resumes after the last delivered event.
    ///
    /// - Throws: what `body` throws, or ``TraceReadError`` when the file cannot be read further
    ///   (every complete record before that point has been delivered).
    public func forEachEvent(_ body: (TraceEvent) throws -> Void) throws {
        guard !isFinished else { return }
        // Hot loop: all state lives in locals (no class-property access, so no exclusivity
        // checks per record); each record is decoded straight out of the buffer, nothing is
        // allocated. The state is written back when the loop leaves, however it leaves.
        let base = buffer.baseAddress!
        let stride = misalignmentRecovery.stride
        let headerSize = TraceFormat.headerSize
        var start = self.start
        var end = self.end
        var bufferOffset = self.bufferOffset
        var records = 0
        var skips = 0
        defer {
            self.start = start
            self.end = end
            self.bufferOffset = bufferOffset
            self.recordCount += records
            self.skipCount += skips
            self.bytesRead = bufferOffset + UInt64(start)
        }
        while true {
            let available = end - start
            if available < headerSize {
                if try refill(start: &start, end: &end, bufferOffset: &bufferOffset) { continue }
                if available > 0 {
                    truncation = TraceTruncation(offset: bufferOffset + UInt64(start),
                                                 availableBytes: available, part: .header)
                }
                start = end
                isFinished = true
                return
            }
            let header = UnsafeRawPointer(base + start)
            let timestamp = UInt32(bigEndian: header.loadUnaligned(as: UInt32.self))
            if timestamp == 0 {
                skips += 1
                let skippedAt = bufferOffset + UInt64(start)
                start += stride
                try body(.skipped(TraceSkip(offset: skippedAt, byteCount: stride)))
                continue
            }
            let oidLength = Int(UInt16(bigEndian: header.loadUnaligned(fromByteOffset: 8, as: UInt16.self)))
            let size = headerSize + oidLength
            if available < size {
                if try refill(start: &start, end: &end, bufferOffset: &bufferOffset) { continue }
                truncation = TraceTruncation(offset: bufferOffset + UInt64(start),
                                             availableBytes: available, part: .oid(declaredLength: oidLength))
                start = end
                isFinished = true
                return
            }
            let record = TraceRecord(
                offset: bufferOffset + UInt64(start),
                timestamp: timestamp,
                encoded: Int32(bigEndian: header.loadUnaligned(fromByteOffset: 4, as: Int32.self)),
                oidLength: UInt16(oidLength),
                oid: oidLength == 8 ? UInt64(bigEndian: header.loadUnaligned(fromByteOffset: 26, as: UInt64.self)) : 0,
                tid: UInt64(bigEndian: header.loadUnaligned(fromByteOffset: 10, as: UInt64.self)),
                endTid: UInt64(bigEndian: header.loadUnaligned(fromByteOffset: 18, as: UInt64.self)))
            records += 1
            start += size
            try body(.record(record, oidBytes: UnsafeRawBufferPointer(start: header + headerSize, count: oidLength)))
        }
    }

    /// Walks the rest of the trace, calling `body` for every record; skipped headers are only
    /// counted (``skipCount``). See ``forEachEvent(_:)``.
    public func forEachRecord(_ body: (TraceRecord, UnsafeRawBufferPointer) throws -> Void) throws {
        try forEachEvent { event in
            if case .record(let record, let oidBytes) = event { try body(record, oidBytes) }
        }
    }

    /// Moves the unread bytes to the front of the buffer and reads more behind them.
    ///
    /// - Returns: false when the source has ended and nothing was added.
    private func refill(start: inout Int, end: inout Int, bufferOffset: inout UInt64) throws(TraceReadError) -> Bool {
        if sourceEnded { return false }
        let base = buffer.baseAddress!
        if start > 0 {
            let remaining = end - start
            if remaining > 0 { base.copyMemory(from: base + start, byteCount: remaining) }
            bufferOffset += UInt64(start)
            start = 0
            end = remaining
        }
        let count = try source.read(into: UnsafeMutableRawBufferPointer(start: base + end, count: buffer.count - end))
        if count == 0 {
            sourceEnded = true
            return false
        }
        end += count
        return true
    }
}
