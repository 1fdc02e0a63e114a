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
/// **Speed.** A plain regular file is mapped into memory (``MappedTraceFile``, which says what
/// that risks) and its records are decoded where they lie; anything else — standard input, a
/// pipe, gzip or xz data — is pulled in 1 MiB chunks from its ``TraceByteSource``. Either way
/// each record is decoded in place by ``TraceRecordLayout`` into a ``TraceRecord`` (a plain
/// struct): the per-record path does no allocation, no locking and no system call, and checks
/// the bytes left once per record. Guarded by `statecache bench trace`.
///
/// A reader is single-use and not thread-safe: one thread walks it once.
public final class TraceReader {
    /// What is being read (a path, or `-`).
    public let name: String
    /// How a zero-timestamp header is stepped over.
    public let misalignmentRecovery: MisalignmentRecovery

    /// The stream position reached: after a complete walk, the length of the (uncompressed)
    /// stream, incomplete tail included — the figure ZEO's `cache_stats` reports as bytes read.
    public var bytesRead: UInt64 { bufferOffset + UInt64(start) }
    /// The records delivered so far.
    public var recordCount: Int { walked.records }
    /// The zero-timestamp headers stepped over so far.
    public var skipCount: Int { walked.skips }
    /// The incomplete record the stream ended with, if any (known once the walk is complete).
    public var truncation: TraceTruncation? { walked.truncation }
    /// Whether the walk reached the end of the stream.
    public var isFinished: Bool { walked.isFinished }

    private let source: any TraceByteSource
    /// The chunk buffer, always large enough for the largest possible record; or, for a
    /// mapped file, the mapping (never written: a mapped reader never refills).
    @usableFromInline let buffer: UnsafeMutableRawBufferPointer
    /// The mapped file the buffer is, if any (which then owns it).
    private let mapping: MappedTraceFile?
    /// Buffer indices of the next unread byte and of the end of valid data.
    @usableFromInline var start = 0
    @usableFromInline var end = 0
    /// The stream offset of `buffer[0]`.
    @usableFromInline var bufferOffset: UInt64 = 0
    private var sourceEnded = false
    /// What the walks so far delivered and found.
    @usableFromInline var walked = WalkState()

    /// The counts and the outcome of the walk (``forEachEvent(into:limit:)`` updates them when it leaves).
    @usableFromInline struct WalkState {
        @usableFromInline var records = 0
        @usableFromInline var skips = 0
        @usableFromInline var truncation: TraceTruncation?
        @usableFromInline var isFinished = false
        @usableFromInline init() {}
    }

    /// Whether the reader decodes a mapped file in place (``MappedTraceFile``) rather than
    /// reading chunks.
    package var isMapped: Bool { mapping != nil }

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
        mapping = nil
    }

    /// Reads the mapped content of `source`'s file: the whole stream is in the buffer already.
    private init(mapped: MappedTraceFile, source: FileByteSource, recovery: MisalignmentRecovery) {
        self.source = source
        self.name = source.name
        self.misalignmentRecovery = recovery
        mapping = mapped
        buffer = UnsafeMutableRawBufferPointer(mutating: mapped.bytes)
        end = mapped.bytes.count
        sourceEnded = true
    }

    /// Opens `path` as ZEO's tools do — `-` is standard input, a name ending in `.gz` is
    /// gunzipped, anything else is read raw — and, beyond them, tells compressed data by its
    /// first bytes (``InputCompression``): gzip data is decompressed whatever the name, data of
    /// another compressor is refused rather than read as records. xz data is refused here too;
    /// the tools open traces through CacheAnalysis's `TraceInput`, which also reads xz.
    ///
    /// A plain regular file is mapped into memory unless `mapping` is false
    /// (``MappedTraceFile``: faster, but a process that truncates the file while it is read
    /// makes this one die of `SIGBUS`).
    ///
    /// - Throws: ``TraceReadError/cannotOpen(path:errno:)``,
    ///   ``TraceReadError/unsupportedCompression(path:name:command:)``, or the error of reading
    ///   the first bytes.
    public convenience init(path: String, recovery: MisalignmentRecovery = .skipEightBytes,
                            bufferSize: Int = TraceReader.defaultBufferSize, mapping: Bool = true) throws(TraceReadError) {
        try self.init(path: path, recovery: recovery, bufferSize: bufferSize, mapping: mapping, xz: nil)
    }

    /// Opens `path` as ``init(path:recovery:bufferSize:mapping:)`` does, with `xz` to decode xz data
    /// (CacheAnalysis's `TraceInput` passes liblzma's decoder).
    package convenience init(path: String, recovery: MisalignmentRecovery = .skipEightBytes,
                             bufferSize: Int = TraceReader.defaultBufferSize, mapping: Bool = true,
                             xz: ((any TraceByteSource) -> any TraceByteSource)?) throws(TraceReadError) {
        let raw = path == "-" ? FileByteSource.standardInput() : try FileByteSource(path: path)
        if mapping, path != "-", !path.hasSuffix(".gz"), let mapped = MappedTraceFile(raw),
           InputCompression.detect(prefix: Array(mapped.bytes.prefix(InputCompression.magicLength))) == .none {
            self.init(mapped: mapped, source: raw, recovery: recovery)
            return
        }
        let source = try InputCompression.decompressing(raw, gzipByName: path.hasSuffix(".gz"), xz: xz)
        self.init(source: source, recovery: recovery, bufferSize: bufferSize)
    }

    deinit {
        if mapping == nil { buffer.deallocate() }
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
        try withoutActuallyEscaping(body) { body in
            var consumer = ClosureConsumer(body: body)
            _ = try forEachEvent(into: &consumer)
        }
    }

    /// Walks the rest of the trace — or its next `limit` events — feeding `consumer` every record
    /// and every skipped header, in stream order; returns whether the walk reached the end.
    ///
    /// The fast way to read a trace: the walk is inlined into the caller and specialized for
    /// its consumer, so the consumer's `consume(_:)` is compiled into the record loop (no call,
    /// no event in memory per record). A caller that wants to look up now and then (Ctrl-C)
    /// walks in slices of `limit` events. Errors and resumption are as for
    /// ``forEachEvent(_:)``.
    ///
    /// - Throws: what `consumer` throws, or ``TraceReadError``.
    @inlinable
    public func forEachEvent<Consumer: TraceEventConsumer>(into consumer: inout Consumer, limit: Int = .max) throws -> Bool {
        guard !walked.isFinished else { return true }
        // Hot loop: all state lives in locals (no class-property access, so no exclusivity
        // checks per record); each record is decoded straight out of the buffer, nothing is
        // allocated, and the bytes left are checked once per record (header, then oid). The
        // state is written back when the loop leaves, however it leaves.
        let base = UnsafeRawPointer(buffer.baseAddress!)
        let stride = misalignmentRecovery.stride
        let headerSize = TraceRecordLayout.headerSize
        var start = self.start
        var end = self.end
        var bufferOffset = self.bufferOffset
        var records = 0
        var skips = 0
        defer {
            self.start = start
            self.end = end
            self.bufferOffset = bufferOffset
            self.walked.records &+= records
            self.walked.skips &+= skips
        }
        while records &+ skips < limit {
            let available = end &- start
            if available < headerSize {
                if try refill(start: &start, end: &end, bufferOffset: &bufferOffset) { continue }
                if available > 0 {
                    walked.truncation = TraceTruncation(offset: bufferOffset + UInt64(start),
                                                        availableBytes: available, part: .header)
                }
                start = end
                walked.isFinished = true
                return true
            }
            let header = base + start
            if TraceRecordLayout.timestamp(at: header) == 0 {
                skips &+= 1
                let skippedAt = bufferOffset + UInt64(start)
                start &+= stride
                try consumer.consume(.skipped(TraceSkip(offset: skippedAt, byteCount: stride)))
                continue
            }
            let oidLength = TraceRecordLayout.oidLength(at: header)
            let size = headerSize &+ oidLength
            if available < size {
                if try refill(start: &start, end: &end, bufferOffset: &bufferOffset) { continue }
                walked.truncation = TraceTruncation(offset: bufferOffset + UInt64(start),
                                                    availableBytes: available, part: .oid(declaredLength: oidLength))
                start = end
                walked.isFinished = true
                return true
            }
            let record = TraceRecordLayout.decode(at: header, offset: bufferOffset &+ UInt64(start))
            records &+= 1
            start &+= size
            try consumer.consume(.record(record, oidBytes: UnsafeRawBufferPointer(start: header + headerSize, count: oidLength)))
        }
        return false
    }

    /// The consumer ``forEachEvent(_:)`` walks with: its closure.
    private struct ClosureConsumer: TraceEventConsumer {
        let body: (TraceEvent) throws -> Void
        func consume(_ event: TraceEvent) throws { try body(event) }
    }

    /// Walks the rest of the trace, calling `body` for every record; skipped headers are only
    /// counted (``skipCount``). See ``forEachEvent(_:)``.
    public func forEachRecord(_ body: (TraceRecord, UnsafeRawBufferPointer) throws -> Void) throws {
        try forEachEvent { event in
            if case .record(let record, let oidBytes) = event { try body(record, oidBytes) }
        }
    }

    /// Moves the unread bytes to the front of the buffer and reads more behind them; a mapped
    /// reader has its whole stream in the buffer and never refills.
    ///
    /// - Returns: false when the source has ended and nothing was added.
    @usableFromInline func refill(start: inout Int, end: inout Int, bufferOffset: inout UInt64) throws(TraceReadError) -> Bool {
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
