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
