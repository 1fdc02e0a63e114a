#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import StateVocabulary

/// Appends ZEO-format trace records to a file; buffered, and safe to call from any thread.
///
/// ```swift
/// let writer = try TraceWriter(path: "/var/cache/app/statecache-trace-main.4711.trace")
/// writer.writeRestart()                                   // the cache just opened
/// writer.write(.loadMiss, oid: 42)
/// writer.write(.storeCurrent, oid: 42, tid: tid, dataLength: state.count)
/// try writer.close()
/// ```
///
/// **How tracing starts** (`docs/traces.md`): when the cache opens, ``TraceFileLocation`` decides from
/// `ZEO_CACHE_TRACE`, the cache directory and the options whether to trace and where; the opener
/// creates the writer and immediately calls ``writeRestart(timestamp:)`` — the restart record
/// (code `0x00`) is how the trace tools learn that a client (re)started.
///
/// **Concurrency.** One lock guards the buffer (CacheCore's `Locked`, a pthread mutex that
/// ThreadSanitizer can see, rather than `Synchronization.Mutex`): each record is appended whole
/// under it, so records of concurrent threads never interleave. The buffer goes to the file in
/// one `write(2)` of whole records when it passes 64 KiB, on ``flush()``, on ``close()`` and at
/// deinit. The file is opened with `O_APPEND`, so several processes sharing one file
/// (`ZEO_CACHE_TRACE=single`) append whole buffers and never tear each other's records. A
/// `.gz` path is written as gzip, one member per flush (`GzipMember`).
///
/// **Refuses nothing.** Tracing must never take the application down:
/// - a data length beyond the 23-bit field (≥ 8 MiB, where ZEO raises `struct.error`) is
///   recorded as ``TraceFormat/maxDataLength``;
/// - a timestamp of 0 (which readers take for a torn record) is written as 1;
/// - an oid longer than 65,535 bytes is cut to that length;
/// - a failing `write(2)` drops the buffered records and is remembered: ``flush()`` and
///   ``close()`` throw it, recording goes on.
public final class TraceWriter: Sendable {
    /// The file written.
    public let path: String
    private let state: Locked<State>

    /// The buffer size past which records go to the file.
    package static let flushThreshold = 64 << 10

    private struct State: ~Copyable {
        var descriptor: Int32
        var buffer: [UInt8]
        var firstError: Int32?
        /// Each flush writes one gzip member (``GzipMember``) instead of the raw records.
        let compressing: Bool

        /// Writes the whole buffer (one `write(2)` unless interrupted or partial), compressed
        /// into one gzip member when `compressing`.
        mutating func flush() {
            guard descriptor >= 0, !buffer.isEmpty else { return }
            let fd = descriptor
            var failure: Int32?
            var member: [UInt8] = []
            if compressing {
                guard let compressed = GzipMember.compress(buffer) else {
                    if firstError == nil { firstError = ENOMEM }
                    buffer.removeAll(keepingCapacity: true)
                    return
                }
                member = compressed
            }
            (compressing ? member : buffer).withUnsafeBytes { bytes in
                guard let base = bytes.baseAddress else { return }
                let error = SystemCalls.writeAll(fd, base, bytes.count)
                if error != 0 { failure = error }
            }
            if let failure, firstError == nil { firstError = failure }
            buffer.removeAll(keepingCapacity: true)
        }
    }

    /// Opens (creating it if needed, mode 0644) `path` for appending. A path ending in `.gz`
    /// gets a gzip trace: every flush appends one gzip member, which `cache-stats`,
    /// `cache-simul` and ZEO's own tools read as one stream.
    ///
    /// - Throws: ``TraceWriteError/cannotOpen(path:errno:)``; ZEO logs "cannot write tracefile"
    ///   and runs without tracing in that case, and so should the caller.
    public init(path: String) throws(TraceWriteError) {
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .cannotOpen(path: path, errno: errno) }
        self.path = path
        var buffer: [UInt8] = []
        buffer.reserveCapacity(TraceWriter.flushThreshold + TraceFormat.maxRecordSize)
        state = Locked(State(descriptor: fd, buffer: buffer, firstError: nil, compressing: path.hasSuffix(".gz")))
    }

    /// Writes to `descriptor`, an open file this writer now owns (closed by ``close()`` or at
    /// deinit): for a file with no name yet, such as an `O_TMPFILE` that is linked into place
    /// only once complete. `path` is the name messages give; `compressing` writes gzip members,
    /// as a `.gz` path does.
    package init(descriptor: Int32, path: String, compressing: Bool) {
        self.path = path
        var buffer: [UInt8] = []
        buffer.reserveCapacity(TraceWriter.flushThreshold + TraceFormat.maxRecordSize)
        state = Locked(State(descriptor: descriptor, buffer: buffer, firstError: nil, compressing: compressing))
    }

    deinit {
        state.withLock { state in
            state.flush()
            if state.descriptor >= 0 { SystemCalls.close(state.descriptor) }
            state.descriptor = -1
        }
    }

    /// The current time as a trace timestamp (seconds since 1970, clamped to 1…UInt32.max).
    public static func currentTimestamp() -> UInt32 {
        clampTimestamp(Int64(time(nil)))
    }

    static func clampTimestamp(_ seconds: Int64) -> UInt32 {
        UInt32(Swift.min(Swift.max(seconds, 1), Int64(UInt32.max)))
    }

    // MARK: Recording

    /// Records an event on an object with an ordinary 8-byte oid.
    ///
    /// - Parameters:
    ///   - code: what happened (e.g. ``TraceEventCode/loadHit``).
    ///   - oid: the object.
    ///   - tid: the start tid (the data's tid for hits and stores, the invalidating tid for `0x1C`).
    ///   - endTid: the end tid of non-current data, else 0.
    ///   - dataLength: the state's length for hits and stores, else 0; clamped to 8 MiB − 1.
    ///   - timestamp: seconds since 1970; the current time when nil.
    public func write(_ code: TraceEventCode, oid: UInt64, tid: UInt64 = 0, endTid: UInt64 = 0,
                      dataLength: Int = 0, timestamp: UInt32? = nil) {
        let ts = timestamp.map { $0 == 0 ? 1 : $0 } ?? TraceWriter.currentTimestamp()
        let record = TraceRecord(timestamp: ts, encoded: TraceFormat.encode(code: code.rawValue, dataLength: dataLength),
                                 oidLength: 8, oid: oid, tid: tid, endTid: endTid)
        state.withLock { state in
            guard state.descriptor >= 0 else { return } // closed: dropped
            // No allocation while the buffer has room (its capacity is reserved up front).
            TraceRecordLayout.append(record, to: &state.buffer)
            if state.buffer.count >= TraceWriter.flushThreshold { state.flush() }
        }
    }

    /// Records an event whose oid is not 8 bytes: empty for a restart (or, as RelStorage writes
    /// it, the root object), anything else for foreign traces. Oids over 65,535 bytes are cut.
    public func write(_ code: TraceEventCode, oidBytes: some Collection<UInt8>, tid: UInt64 = 0,
                      endTid: UInt64 = 0, dataLength: Int = 0, timestamp: UInt32? = nil) {
        let ts = timestamp.map { $0 == 0 ? 1 : $0 } ?? TraceWriter.currentTimestamp()
        let oid = oidBytes.prefix(TraceFormat.maxOIDLength)
        // An 8-byte oid travels in the record (the layout writes it); any other is appended after.
        let standard = oid.count == 8 ? oid.reduce(0) { $0 << 8 | UInt64($1) } : 0
        let record = TraceRecord(timestamp: ts, encoded: TraceFormat.encode(code: code.rawValue, dataLength: dataLength),
                                 oidLength: UInt16(oid.count), oid: standard, tid: tid, endTid: endTid)
        state.withLock { state in
            guard state.descriptor >= 0 else { return } // closed: dropped
            TraceRecordLayout.append(record, to: &state.buffer)
            if !record.hasStandardOID { state.buffer.append(contentsOf: oid) }
            if state.buffer.count >= TraceWriter.flushThreshold { state.flush() }
        }
    }

    /// Records a restart (code `0x00`, empty oid, zero tids): call it right after opening the
    /// writer when a cache opens, as ZEO does; the tools start a new section of the report there.
    public func writeRestart(timestamp: UInt32? = nil) {
        write(.restart, oidBytes: EmptyCollection<UInt8>(), timestamp: timestamp)
    }

    // MARK: Flushing

    /// The first `write(2)` failure (`errno`), if any; records buffered at that time were lost.
    package var firstError: Int32? {
        state.withLock { $0.firstError }
    }

    /// Writes the buffered records to the file.
    ///
    /// - Throws: ``TraceWriteError/writeFailed(path:errno:)`` if this or an earlier write failed.
    public func flush() throws(TraceWriteError) {
        let failure = state.withLock { state -> Int32? in
            state.flush()
            return state.firstError
        }
        if let failure { throw .writeFailed(path: path, errno: failure) }
    }

    /// Flushes and closes the file; later records are dropped. Safe to call more than once.
    ///
    /// - Throws: ``TraceWriteError/writeFailed(path:errno:)`` if a write failed.
    public func close() throws(TraceWriteError) {
        let failure = state.withLock { state -> Int32? in
            state.flush()
            if state.descriptor >= 0 { SystemCalls.close(state.descriptor) }
            state.descriptor = -1
            return state.firstError
        }
        if let failure { throw .writeFailed(path: path, errno: failure) }
    }
}
