import CacheTrace

/// What a `cache-stats` run ended with, beyond the report itself: the exit status, the
/// diagnostics for standard error, and the summary for `--json`.
public struct CacheStatsOutcome: Sendable {
    /// 0 on success; 1 when the trace held no record (ZEO's status) or could not be read to
    /// the end (the report covers what was read).
    public var exitStatus: Int32
    /// The figures of the run.
    public var summary: CacheStatsSummary
    /// The incomplete record the trace ended with, if any (ZEO ignores it silently).
    public var truncation: TraceTruncation?
    /// Why reading stopped early, if the file or its gzip data failed.
    public var readError: TraceReadError?
    /// Reading was stopped by the caller (Ctrl-C).
    public var interrupted: Bool

    /// No record was read: the caller prints `No records processed` on standard error.
    public var noRecords: Bool { summary.records == 0 }
}
