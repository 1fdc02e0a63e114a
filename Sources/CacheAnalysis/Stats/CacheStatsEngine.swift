import CacheTrace

/// The statistics behind `cache-stats`: feed it the events of a trace in order, then call
/// ``finish(bytesRead:elapsedSeconds:interrupted:)``.
///
/// It reproduces the per-record logic of ZEO's `cache_stats.py` (reference §2.3) step for step:
/// - **Intervals** are buckets of `timestamp / interval` epoch seconds. A record from another
///   bucket closes the current interval line; a restart record (code `0x00`) closes it too,
///   after being counted in it, and starts a new one at its own timestamp — which is why an
///   all-zero line precedes every restart line. The line shows the first and last timestamps
///   *seen*, not the bucket edges.
/// - **Totals**: records, data records and bytes, version flags, counts per function code,
///   loads and load hits.
/// - **Histograms**, only when asked for (`-h`, `-s`), since they cost a hash-table update per
///   load or data record. Oids are compared as byte strings, as Python's dictionaries do: an
///   8-byte oid by its value, any other length through an interning table.
///
/// Text goes to a `CacheStatsFormatter` as it is produced (unless the engine only collects,
/// for `--json`), so interval lines stream out while a large trace is read.
///
/// **Hot path.** ``consume(_:oidBytes:)`` runs once per record: a few integer updates and one
/// division-free bucket test; no allocation, no locking, no hashing unless a histogram is on.
/// Guarded by `statecache bench trace`.
public struct CacheStatsEngine: TraceEventConsumer {
    /// The options this engine reports with.
    public let options: CacheStatsOptions
    /// The totals so far.
    public var totals: CacheStatsTotals {
        var totals = counted
        totals.countsByCode = codeCounts.byCode
        return totals
    }
    /// The totals but for the counts per code, which ``codeCounts`` keeps.
    private var counted = CacheStatsTotals()
    private var codeCounts = FunctionCodeCounts()
    /// Zero-timestamp headers stepped over so far.
    public private(set) var skippedHeaders = 0
    /// Every interval line, in order (collected only for `--json`).
    public private(set) var intervals: [CacheStatsInterval] = []
    /// The timestamps of the restart records (collected only for `--json`).
    public private(set) var restarts: [UInt32] = []

    private var formatter: CacheStatsFormatter?
    private let collects: Bool
    private let printsProgress: Bool
    private let interval: Int64

    // The current interval: its bucket [bucketStart, bucketEnd), the first and last timestamps
    // seen in it, and its four columns.
    private var bucketStart: Int64 = 0
    private var bucketEnd: Int64 = 0
    private var intervalFirst: UInt32 = 0
    private var intervalLast: UInt32 = 0
    private var current = IntervalCounts()

    // Histograms. Keys: (oid, 0) for 8-byte oids, (index, 1) for other oids interned in
    // `rawOIDs`; the size tables add the data length to the second word.
    private var loadsByOID = PairCountTable()
    private var loadSizes = PairCountTable()
    private var writeSizes = PairCountTable()
    private var rawOIDs: [[UInt8]: UInt64] = [:]

    /// An engine that prints its report to `sink` as it goes (or, with `--json` set in
    /// `options` or a nil sink, only collects).
    public init(options: CacheStatsOptions, sink: (any ReportSink)?) {
        self.options = options
        self.interval = Int64(Swift.min(Swift.max(options.intervalSeconds, 1), 3600))
        if let sink, !options.json {
            formatter = CacheStatsFormatter(sink: sink)
            formatter?.header()
        }
        collects = options.json
        printsProgress = formatter != nil && !options.quiet
    }

    // MARK: Reading

    /// Takes the next record of the trace.
    @inline(__always)
    public mutating func consume(_ record: TraceRecord, oidBytes: UnsafeRawBufferPointer) {
        let timestamp = record.timestamp
        let time = Int64(timestamp)
        counted.records += 1
        if counted.records == 1 {
            counted.firstTimestamp = timestamp
            startInterval(at: timestamp)
        }
        counted.lastTimestamp = timestamp
        if time < bucketStart || time >= bucketEnd {
            // `ts // interval != thisinterval`, without a division per record.
            closeInterval()
            startInterval(at: timestamp)
        }
        intervalLast = timestamp

        let dataLength = record.dataLength
        if dataLength != 0 {
            counted.dataRecords += 1
            counted.dataBytes += dataLength
        }
        let byte = record.code.rawValue
        if byte & 0x80 != 0 { counted.versions += 1 }
        let function = byte & 0x7E
        codeCounts.count(function)
        current.count(function: function)
        if dataLength != 0 && options.sizeHistograms {
            if function & 0x70 == 0x20 {
                let key = oidKey(record, oidBytes)
                loadSizes.increment(key.0, key.1 | UInt64(dataLength) << 1)
            } else if function & 0x70 == 0x50 {
                let key = oidKey(record, oidBytes)
                writeSizes.increment(key.0, key.1 | UInt64(dataLength) << 1)
            }
        }
        if options.verbose { formatter?.record(record, oidBytes: oidBytes) }
        if function & 0x70 == 0x20 {
            counted.loads += 1
            if function == 0x22 || function == 0x26 { counted.loadHits += 1 }
            if options.loadHistogram {
                let key = oidKey(record, oidBytes)
                loadsByOID.increment(key.0, key.1)
            }
        } else if function == 0x00 {
            closeInterval()
            startInterval(at: timestamp)
            if collects { restarts.append(timestamp) }
            if printsProgress { formatter?.restart(at: timestamp) }
        }
    }

    /// Takes the next event of the trace (``TraceEventConsumer``): a record or a skipped header.
    @inline(__always)
    public mutating func consume(_ event: TraceEvent) {
        switch event {
        case .record(let record, let oidBytes): consume(record, oidBytes: oidBytes)
        case .skipped(let skip): skipped(skip)
        }
    }

    /// Takes a zero-timestamp header the reader stepped over (`Skipping 8 bytes at offset …`).
    public mutating func skipped(_ skip: TraceSkip) {
        skippedHeaders += 1
        if printsProgress { formatter?.skipped(at: skip.offset) }
    }

    private mutating func startInterval(at timestamp: UInt32) {
        let time = Int64(timestamp)
        bucketStart = time - time % interval
        bucketEnd = bucketStart + interval
        intervalFirst = timestamp
        intervalLast = timestamp
    }

    private mutating func closeInterval() {
        if printsProgress { formatter?.interval(first: intervalFirst, last: intervalLast, counts: current) }
        if collects { intervals.append(CacheStatsInterval(first: intervalFirst, last: intervalLast, counts: current)) }
        current = IntervalCounts()
    }

    /// The histogram key of the record's oid (allocates only for oids that are not 8 bytes).
    private mutating func oidKey(_ record: TraceRecord, _ oidBytes: UnsafeRawBufferPointer) -> (UInt64, UInt64) {
        if record.hasStandardOID { return (record.oid, 0) }
        let bytes = Array(oidBytes)
        if let index = rawOIDs[bytes] { return (index, 1) }
        let index = UInt64(rawOIDs.count)
        rawOIDs[bytes] = index
        return (index, 1)
    }

    // MARK: Reporting

    /// Ends the report: the last interval line, then (unless `-S`) the statistics block, then
    /// the histograms asked for, and flushes the output.
    ///
    /// With no record at all nothing follows the header (ZEO prints a bogus interval line
    /// stamped with the current time there), and the caller reports "No records processed".
    ///
    /// - Parameters:
    ///   - bytesRead: the stream position reached (`TraceReader.bytesRead`).
    ///   - elapsedSeconds: the run time for the `Read … in T seconds` line.
    ///   - interrupted: reading was stopped early (Ctrl-C); says so first, as ZEO does.
    public mutating func finish(bytesRead: UInt64, elapsedSeconds: Double, interrupted: Bool = false) {
        counted.bytesRead = bytesRead
        if interrupted { formatter?.interrupted() }
        if counted.records > 0 { closeInterval() }
        if counted.records > 0 && formatter != nil {
            let totals = self.totals
            if options.statistics { formatter?.statistics(totals, elapsedSeconds: elapsedSeconds) }
            if options.loadHistogram {
                let histogram = loadHistogram()
                formatter?.loadHistogram(histogram)
            }
            if options.sizeHistograms {
                let written = writtenSizes(), loaded = loadedSizes()
                formatter?.sizeHistograms(written: written, loaded: loaded)
            }
        }
        formatter?.flush()
    }

    /// The load-frequency histogram (empty unless the options ask for it).
    public func loadHistogram() -> LoadHistogram {
        var objectsByLoads: [Int: Int] = [:]
        loadsByOID.forEach { _, _, loads in objectsByLoads[loads, default: 0] += 1 }
        let bins = objectsByLoads.sorted { $0.key < $1.key }.map { LoadHistogram.Bin(loads: $0.key, objects: $0.value) }
        return LoadHistogram(uniqueOIDs: loadsByOID.count, totalLoads: counted.loads, bins: bins)
    }

    /// The sizes written (stores with data), by size (empty unless the options ask for it).
    public func writtenSizes() -> [SizeHistogramRow] { sizeHistogram(writeSizes) }

    /// The sizes loaded (loads with data, i.e. hits), by size (empty unless asked for).
    public func loadedSizes() -> [SizeHistogramRow] { sizeHistogram(loadSizes) }

    private func sizeHistogram(_ table: PairCountTable) -> [SizeHistogramRow] {
        var rows: [Int: SizeHistogramRow] = [:]
        table.forEach { _, second, records in
            let size = Int(second >> 1)
            rows[size, default: SizeHistogramRow(size: size, objects: 0, records: 0)].objects += 1
            rows[size]!.records += records
        }
        return rows.values.sorted { $0.size < $1.size }
    }
}
