import CacheTrace

/// Runs ZEO's `cache_simul.py` over a trace: the reader, `CircularCacheSimulation` and
/// `CircularReportFormatter` put together, with ZEO's interval logic.
///
/// ```swift
/// let sink = MemorySink()
/// var options = CircularSimulationOptions()
/// options.limit = 4 << 20
/// let outcome = try CircularSimulationRunner.run(path: "app.trace", options: options, sink: sink)
/// ```
///
/// **ZEO's driver** runs two simulations side by side, one reset at every interval boundary
/// (printed per interval) and one reset at interval boundaries only until the first has
/// evicted something (printed at the end), both reset at restart records; `restart()` resets
/// counters only, never the cache. The two therefore always hold the same cache, and this
/// runner keeps one cache and two sets of starting counts (ZEO's work, halved). The final line
/// thus covers the stretch since the cache first filled up, or since the last restart record —
/// not the whole trace.
///
/// Lines are written while the trace is read, as ZEO prints them.
public enum CircularSimulationRunner {
    /// Opens `path` as ZEO does (`-` = standard input, `.gz` = gzip) and simulates it.
    ///
    /// - Throws: `TraceReadError.cannotOpen(path:errno:)`.
    public static func run(path: String, options: CircularSimulationOptions, sink: any ReportSink,
                           progress: SimulationProgress = .silent) throws(TraceReadError) -> CircularSimulationOutcome {
        let reader = try TraceInput.reader(path: path, recovery: .skipEightBytes)
        return run(reader: reader, options: options, sink: sink, progress: progress)
    }

    /// Simulates the rest of `reader` (which ZEO reads stepping 8 bytes past a zero timestamp).
    public static func run(reader: TraceReader, options: CircularSimulationOptions, sink: any ReportSink,
                           progress: SimulationProgress = .silent) -> CircularSimulationOutcome {
        var driver = Driver(options: options, sink: sink, progress: progress)
        var readError: TraceReadError?
        do {
            try reader.forEachRecord { record, oidBytes in driver.consume(record, oidBytes: oidBytes) }
        } catch let error as TraceReadError {
            readError = error
        } catch {
            // forEachRecord only rethrows the body's errors, and the body throws none.
        }
        progress.finish()
        driver.finish()
        return CircularSimulationOutcome(exitStatus: readError == nil ? 0 : 1, records: reader.recordCount,
                                         truncation: reader.truncation, readError: readError,
                                         refusedStores: driver.simulation.refusedStores,
                                         linesAfterTrailingRestart: driver.trailingRestartLines)
    }

    /// One of the two report streams: where its counts start and its first timestamp.
    struct Stream {
        var base = CircularCacheSimulation.Counters()
        /// The first timestamp since the last reset (ZEO's `ts0`), −1 for none.
        var start: Int64 = -1
        /// ZEO's `warm`: set by a reset that found evictions since the previous one.
        var warm = false

        mutating func reset(_ totals: CircularCacheSimulation.Counters) {
            if totals.evictions > base.evictions { warm = true }
            base = totals
            start = -1
        }
    }

    /// ZEO's `main()` loop, one record at a time. A struct driven through one `consume` call
    /// per record, so the hot path reaches its state without closure captures.
    struct Driver {
        var simulation: CircularCacheSimulation
        var objects = ObjectInterner()
        var formatter: CircularReportFormatter
        let progress: SimulationProgress
        var interval = Stream(), overall = Stream()
        /// ZEO's `ts1`: the last record's timestamp; −1 until the first record.
        var lastTimestamp: Int64 = -1
        var lastInterval = -1
        var trailingRestartLines = 0
        var records = 0
        let step: Int

        init(options: CircularSimulationOptions, sink: any ReportSink, progress: SimulationProgress) {
            simulation = CircularCacheSimulation(limit: options.limit, rearrange: options.rearrange)
            formatter = CircularReportFormatter(sink: sink)
            self.progress = progress
            step = max(1, options.intervalSeconds)
            formatter.header(limit: options.limit)
            formatter.flush()
        }

        /// One record. Hot path: one interning probe and one simulation step; the interval test
        /// is an integer division; nothing allocates.
        @inline(__always)
        mutating func consume(_ record: TraceRecord, oidBytes: UnsafeRawBufferPointer) {
            records &+= 1
            if records & 0xFFFF == 0 {
                progress.update("cache-simul: \(ThousandsSeparator.format(records)) records")
            }
            let timestamp = Int64(record.timestamp)
            let thisInterval = Int(timestamp) / step
            if thisInterval != lastInterval {
                if lastInterval >= 0 {
                    report(interval)
                    formatter.flush()
                    interval.reset(simulation.totals)
                    if !interval.warm { overall.reset(simulation.totals) }
                }
                lastInterval = thisInterval
            }
            lastTimestamp = timestamp
            let code = UInt8(truncatingIfNeeded: record.encoded) & 0x7E
            if code & 0x70 == 0 {
                // A restart (or a garbage code in 0x02…0x0e): both streams start over.
                interval.reset(simulation.totals)
                overall.reset(simulation.totals)
                return
            }
            if interval.start < 0 { interval.start = timestamp }
            if overall.start < 0 { overall.start = timestamp }
            let object = record.oidLength == 8 ? objects.intern(record.oid) : objects.intern(bytes: oidBytes)
            simulation.apply(code: code, object: object, dataLength: record.dataLength,
                             tid: record.tid, endTid: record.endTid)
        }

        /// The last interval's line, the dashes and the final line.
        mutating func finish() {
            report(interval)
            formatter.dashes()
            report(overall)
            formatter.flush()
        }

        mutating func report(_ stream: Stream) {
            guard lastTimestamp >= 0 else { return }  // no record at all: ZEO prints nothing
            var start = stream.start
            if start < 0 {
                // The stretch began with a restart and nothing followed (ZEO: TypeError).
                start = lastTimestamp
                trailingRestartLines += 1
            }
            formatter.line(start: UInt32(start), end: UInt32(lastTimestamp),
                           counts: simulation.totals.since(stream.base), inUsePercent: simulation.inUsePercent)
        }
    }
}
