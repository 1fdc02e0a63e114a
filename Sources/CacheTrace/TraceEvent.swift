/// What a ``TraceReader`` reports while it walks a trace: a record, or a resync past a record
/// torn by a crash.
///
/// An event is only valid inside the callback that receives it: `oidBytes` points into the
/// reader's buffer, which the next refill overwrites. Copy the bytes (`Array(oidBytes)`) to keep
/// them.
public enum TraceEvent {
    /// A complete record. `oidBytes` are its raw oid bytes (8 for ordinary oids, whose value is
    /// also in ``TraceRecord/oid``).
    case record(TraceRecord, oidBytes: UnsafeRawBufferPointer)
    /// A header whose timestamp was 0 — the mark of a misaligned read after a crash — was
    /// skipped; the reader resumed as its ``MisalignmentRecovery`` says.
    case skipped(TraceSkip)
}

/// A zero-timestamp header the reader stepped over (see ``MisalignmentRecovery``).
public struct TraceSkip: Hashable, Sendable {
    /// The stream offset of the skipped header's first byte.
    public var offset: UInt64
    /// How many bytes were stepped over (8, or 26 with ``MisalignmentRecovery/skipHeader``).
    public var byteCount: Int

    /// Creates a skip record.
    public init(offset: UInt64, byteCount: Int) {
        self.offset = offset
        self.byteCount = byteCount
    }
}
