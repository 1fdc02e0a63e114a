import CacheTrace

/// Turns trace records into an ``OperationStream`` — the event → operation mapping, in one
/// place (see ``OperationStream`` for the rules).
///
/// ```swift
/// var builder = OperationStreamBuilder()
/// try reader.forEachRecord { record, oid in builder.add(record, oidBytes: oid) }
/// let stream = builder.finish()
/// ```
///
/// **Keys.** An 8-byte oid is its own key; the empty oid (RelStorage's root object) is OID 0;
/// any other length (garbage from a torn trace) gets a 64-bit FNV-1a hash of its bytes with the
/// top bit set. W-TinyLFU's sketch hashes the key as Caffeine hashes a `long`, so a converted
/// research trace drives it exactly as Caffeine's simulator would.
///
/// Hot path (``add(_:oidBytes:)``): one interning probe and a few array appends per record.
package struct OperationStreamBuilder: Sendable {
    private var stream = OperationStream()
    private var objects = ObjectInterner()
    /// What the mapping remembers about one object, packed into one cache line's worth.
    private struct RememberedObject: Sendable {
        /// The size of its most recent known state (−1: never seen with data).
        var knownSize: Int32 = -1
        /// The request its last record opened as a recorded miss, or −1.
        var pendingMiss: Int32 = -1
        /// The code of that last miss record (0x20 or 0x24).
        var pendingCode: UInt8 = 0
    }

    /// Per object (dense ids).
    private var state: [RememberedObject] = []
    /// The index of the last restart operation (−1: none); a miss opened before it is closed.
    private var lastRestart: Int32 = -1
    /// Whether to count every load record and every store literally (`--every-record`).
    package let everyRecord: Bool

    /// A builder; `everyRecord` turns off the folding of repeated misses and fills.
    package init(everyRecord: Bool = false) {
        self.everyRecord = everyRecord
    }

    /// Maps one record (see ``OperationStream``).
    @inline(__always)
    package mutating func add(_ record: TraceRecord, oidBytes: UnsafeRawBufferPointer) {
        stream.summary.records += 1
        let code = UInt8(truncatingIfNeeded: record.encoded) & 0x7E
        let action = code & 0x70
        if action == 0 {
            stream.summary.restarts += 1
            lastRestart = Int32(truncatingIfNeeded: stream.count)
            append(.restart, object: 0, size: 0)
            return
        }
        guard action == 0x20 || action == 0x50 || action == 0x10 else {
            stream.summary.ignoredRecords += 1
            return
        }
        let object = intern(record, oidBytes: oidBytes)
        let o = Int(object)
        let length = Int32(truncatingIfNeeded: record.dataLength)
        var known = state[o]
        defer { state[o] = known }
        // A miss is open only until the client restarts.
        if known.pendingMiss >= 0 && known.pendingMiss < lastRestart { known.pendingMiss = -1 }
        switch action {
        case 0x20:
            let recordedMiss = code == 0x20 || code == 0x24
            if !everyRecord && recordedMiss && known.pendingMiss >= 0 && (code == 0x24 || known.pendingCode == 0x24) {
                // ZEO ≥ 5's `20 24 20 24`: the same request, retried.
                stream.summary.foldedLoads += 1
                known.pendingCode = code
                return
            }
            if length > 0 { known.knownSize = length }
            let index = Int32(truncatingIfNeeded: stream.count)
            stream.requestCount += 1
            append(.request, object: object, size: max(0, known.knownSize))
            if recordedMiss && stream.count <= Int(Int32.max) {  // (indices are 32-bit)
                known.pendingMiss = index
                known.pendingCode = code
            } else {
                known.pendingMiss = -1
            }
        case 0x50:
            known.knownSize = length
            if !everyRecord && known.pendingMiss >= 0 {
                // The store that fills the miss before it: that request's size, not a new insertion.
                stream.sizes[Int(known.pendingMiss)] = length
                stream.summary.fills += 1
                known.pendingMiss = -1
                return
            }
            stream.summary.stores += 1
            append(.store, object: object, size: length)
        default:
            known.pendingMiss = -1
            stream.summary.invalidations += 1
            append(.invalidate, object: object, size: 0)
        }
    }

    /// Counts a zero-timestamp header the reader stepped over.
    package mutating func skipped() {
        stream.summary.skippedHeaders += 1
    }

    /// The stream built so far.
    package func finish() -> OperationStream { stream }

    @inline(__always) private mutating func append(_ kind: OperationStream.Kind, object: Int32, size: Int32) {
        stream.kinds.append(kind.rawValue)
        stream.objects.append(object)
        stream.sizes.append(size)
    }

    /// The dense id of the record's object, registering a new one.
    @inline(__always) private mutating func intern(_ record: TraceRecord, oidBytes: UnsafeRawBufferPointer) -> Int32 {
        let key: UInt64
        let object: Int32
        switch record.oidLength {
        case 8:
            key = record.oid
            object = objects.intern(key)
        case 0:
            key = 0  // RelStorage writes the root object (OID 0) with an empty oid
            object = objects.intern(key)
        default:
            key = OperationStreamBuilder.hashKey(oidBytes)
            object = objects.intern(bytes: oidBytes)
        }
        if Int(object) == stream.keys.count {
            stream.keys.append(key)
            state.append(RememberedObject())
        }
        return object
    }

    /// FNV-1a over the bytes, top bit set (an odd-length oid's key).
    static func hashKey(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        return hash | (1 << 63)
    }
}

extension OperationStream {
    /// Reads a whole trace (`-` = standard input, `.gz` = gzip) and maps it.
    ///
    /// - Returns: the stream, and the reader (for its truncation note) — and the read error, if
    ///   the file failed part way (the stream then holds what was read).
    /// - Throws: `TraceReadError.cannotOpen(path:errno:)`.
    public static func decode(path: String, everyRecord: Bool = false,
                              progress: SimulationProgress = .silent) throws(TraceReadError)
        -> (stream: OperationStream, reader: TraceReader, error: TraceReadError?) {
        let reader = try TraceInput.reader(path: path, recovery: .skipEightBytes)
        let (stream, error) = decode(reader: reader, everyRecord: everyRecord, progress: progress)
        return (stream, reader, error)
    }

    /// Maps the rest of `reader`; returns the stream and the read error that ended it early, if any.
    public static func decode(reader: TraceReader, everyRecord: Bool = false,
                              progress: SimulationProgress = .silent) -> (OperationStream, TraceReadError?) {
        var builder = OperationStreamBuilder(everyRecord: everyRecord)
        var records = 0
        var failure: TraceReadError?
        do {
            try reader.forEachEvent { event in
                switch event {
                case .record(let record, let oidBytes):
                    builder.add(record, oidBytes: oidBytes)
                    records &+= 1
                    if records & 0xFFFF == 0 {
                        progress.update("cache-simul: reading, \(ThousandsSeparator.format(records)) records")
                    }
                case .skipped:
                    builder.skipped()
                }
            }
        } catch let error as TraceReadError {
            failure = error
        } catch {
            // The body throws nothing else.
        }
        return (builder.finish(), failure)
    }
}
