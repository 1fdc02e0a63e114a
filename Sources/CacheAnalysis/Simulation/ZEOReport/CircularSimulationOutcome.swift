import CacheTrace

/// What a ZEO-compatible `cache-simul` run ended with, beyond its report.
public struct CircularSimulationOutcome: Sendable {
    /// 0, or 1 when the trace could not be read to its end (the report covers what was read).
    public var exitStatus: Int32
    /// The records simulated (restarts included; skipped zero-timestamp headers not).
    public var records: Int
    /// The incomplete record the trace ended with, if any (ignored, as ZEO does).
    public var truncation: TraceTruncation?
    /// Why reading stopped early, if the file or its gzip data failed.
    public var readError: TraceReadError?
    /// Stores not simulated because the entry cannot fit in the file at all (ZEO crashes).
    public var refusedStores: Int
    /// Report lines for a stretch that began with a restart record and had no record after
    /// it (ZEO crashes with `TypeError` there; we print the stretch from the restart's time).
    public var linesAfterTrailingRestart: Int
}
