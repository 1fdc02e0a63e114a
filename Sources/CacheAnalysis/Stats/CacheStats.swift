import CacheTrace

/// Runs `cache-stats` over a trace: the engine, the reader and the clock put together.
///
/// ```swift
/// let sink = MemorySink()
/// let outcome = try CacheStats.run(path: "app.trace", options: CacheStatsOptions(), sink: sink)
/// print(sink.text, outcome.exitStatus)
/// ```
///
/// The text report (or nothing, with `--json`) goes to `sink` while the trace is read; the
/// caller prints ``CacheStatsOutcome``'s diagnostics and, for `--json`, its summary.
public enum CacheStats {
    /// Opens `path` as ZEO does (`-` = standard input, `.gz` = gzip) and reports on it.
    ///
    /// - Throws: `TraceReadError.cannotOpen(path:errno:)` if the trace cannot be opened.
    public static func run(path: String, options: CacheStatsOptions, sink: any ReportSink,
                           shouldStop: () -> Bool = { false }) throws(TraceReadError) -> CacheStatsOutcome {
        let reader = try TraceInput.reader(path: path, recovery: options.misalignmentRecovery)
        return run(reader: reader, options: options, sink: sink, shouldStop: shouldStop)
    }

    /// Reports on the rest of `reader`, which should have been opened with
    /// `options.misalignmentRecovery` (as ``run(path:options:sink:shouldStop:)`` does) to match
    /// ZEO's counts on damaged traces.
    ///
    /// - Parameters:
    ///   - reader: the trace, read from where it stands to its end.
    ///   - options: what to report (ZEO's command-line options).
    ///   - sink: where the text report goes as it is produced (nothing, with `options.json`).
    ///   - shouldStop: polled every 4,096 events; returning true stops the reading and
    ///     reports what was read so far, as ZEO does on Ctrl-C.
    public static func run(reader: TraceReader, options: CacheStatsOptions, sink: any ReportSink,
                           shouldStop: () -> Bool = { false }) -> CacheStatsOutcome {
        let clock = ContinuousClock()
        let started = clock.now
        var engine = CacheStatsEngine(options: options, sink: sink)
        var readError: TraceReadError?
        var interrupted = false
        do {
            // In slices of 4,096 events, asking `shouldStop` between them; each slice is the
            // reader's loop specialized for the engine (TraceEventConsumer).
            while try !reader.forEachEvent(into: &engine, limit: 4096) {
                if shouldStop() {
                    interrupted = true
                    break
                }
            }
        } catch {
            readError = error as? TraceReadError
        }
        let elapsed = started.duration(to: clock.now)
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        engine.finish(bytesRead: reader.bytesRead, elapsedSeconds: seconds, interrupted: interrupted)
        let summary = CacheStatsSummary(engine: engine, trace: reader.name, truncation: reader.truncation,
                                        readError: readError.map { String(describing: $0) })
        let status: Int32 = engine.totals.records == 0 || readError != nil ? 1 : 0
        return CacheStatsOutcome(exitStatus: status, summary: summary, truncation: reader.truncation,
                                 readError: readError, interrupted: interrupted)
    }
}
