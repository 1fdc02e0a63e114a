import CacheTrace

/// The machine-readable summary `cache-stats --json` prints: the figures of the text report,
/// with the interval lines and (when asked for with `-h`/`-s`) the histograms.
///
/// Times are seconds since 1970 (UTC), hit rates percentages, sizes bytes. Keys are stable;
/// new ones may be added.
public struct CacheStatsSummary: Codable, Sendable, Hashable {
    /// One row of the code table.
    public struct CodeCount: Codable, Sendable, Hashable {
        /// The function code (`code & 0x7e`) as two hex digits, as the text report shows it.
        public var code: String
        /// Records with that code.
        public var count: Int
        /// ZEO's description, or `*** unknown code ***`.
        public var function: String
    }

    /// The incomplete record a trace ended with.
    public struct IncompleteTail: Codable, Sendable, Hashable {
        /// Where it starts in the (uncompressed) stream.
        public var offset: UInt64
        /// How many bytes of it there are.
        public var bytes: Int
    }

    /// Both object-size histograms.
    public struct SizeHistograms: Codable, Sendable, Hashable {
        /// Sizes of stores with data.
        public var written: [SizeHistogramRow]
        /// Sizes of loads with data (hits).
        public var loaded: [SizeHistogramRow]
    }

    /// The trace read (`-` for standard input).
    public var trace: String
    /// The stream position reached (the uncompressed size after a complete read).
    public var bytesRead: UInt64
    /// Records read.
    public var records: Int
    /// Zero-timestamp headers stepped over (misaligned records after a crash).
    public var skippedHeaders: Int
    /// The torn record the trace ended with, if any.
    public var incompleteTail: IncompleteTail?
    /// Why reading stopped early, if the file or its compression failed.
    public var readError: String?
    /// The interval of the interval lines, in seconds.
    public var intervalSeconds: Int
    /// The first record's time; nil without records.
    public var firstTime: UInt32?
    /// The last record's time; nil without records.
    public var lastTime: UInt32?
    /// `lastTime − firstTime` (negative when the clock went backwards); nil without records.
    public var durationSeconds: Int64?
    /// Records with the version flag.
    public var versions: Int
    /// Records carrying a data length, and the sum of those lengths.
    public var dataRecords: Int
    public var dataBytes: Int
    /// `dataBytes / dataRecords`, truncated; nil without data records.
    public var averageDataSize: Int?
    /// Load records (`code & 0x70 == 0x20`) and the hits among them (`0x22`, `0x26`).
    public var loads: Int
    public var loadHits: Int
    /// `100 × loadHits / loads`, 0 without loads.
    public var hitRatePercent: Double
    /// The code table, by code.
    public var codes: [CodeCount]
    /// Every interval line, in order.
    public var intervals: [CacheStatsInterval]
    /// The times of the restart records.
    public var restarts: [UInt32]
    /// With `-h`: the load-frequency histogram.
    public var loadHistogram: LoadHistogram?
    /// With `-s`: the object-size histograms.
    public var sizeHistograms: SizeHistograms?

    /// The summary of what `engine` has seen.
    public init(engine: CacheStatsEngine, trace: String, truncation: TraceTruncation?, readError: String?) {
        let totals = engine.totals
        self.trace = trace
        bytesRead = totals.bytesRead
        records = totals.records
        skippedHeaders = engine.skippedHeaders
        incompleteTail = truncation.map { IncompleteTail(offset: $0.offset, bytes: $0.availableBytes) }
        self.readError = readError
        intervalSeconds = engine.options.intervalSeconds
        let any = totals.records > 0
        firstTime = any ? totals.firstTimestamp : nil
        lastTime = any ? totals.lastTimestamp : nil
        durationSeconds = any ? Int64(totals.lastTimestamp) - Int64(totals.firstTimestamp) : nil
        versions = totals.versions
        dataRecords = totals.dataRecords
        dataBytes = totals.dataBytes
        averageDataSize = totals.dataRecords > 0
            ? Int((Double(totals.dataBytes) / Double(totals.dataRecords)).rounded(.towardZero)) : nil
        loads = totals.loads
        loadHits = totals.loadHits
        hitRatePercent = totals.hitRatePercent
        codes = totals.countsByCode.indices.filter { totals.countsByCode[$0] > 0 }.map { index in
            let code = TraceEventCode(UInt8(index))
            let hex = String(index, radix: 16)
            return CodeCount(code: hex.count < 2 ? "0" + hex : hex, count: totals.countsByCode[index],
                             function: ZEOCodeDescriptions.text(for: code))
        }
        intervals = engine.intervals
        restarts = engine.restarts
        loadHistogram = engine.options.loadHistogram ? engine.loadHistogram() : nil
        sizeHistograms = engine.options.sizeHistograms
            ? SizeHistograms(written: engine.writtenSizes(), loaded: engine.loadedSizes()) : nil
    }
}
