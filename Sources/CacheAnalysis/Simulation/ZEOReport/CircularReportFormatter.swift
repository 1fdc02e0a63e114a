/// Every line ZEO's `cache_simul.py` prints, byte for byte: the header, one line per interval,
/// the dashes and the final line (ZEO's trace tools).
///
/// ```text
/// CircularCacheSimulation, cache size 1,048,576 bytes
///   START TIME   DUR.   LOADS    HITS INVALS WRITES HITRATE  EVICTS   INUSE
/// Mar  9 23:51   8:54      67       4      5     16    6.0%       0     1.3
/// --------------------------------------------------------------------------
/// ```
///
/// The one place that knows this format. Times go through ``ZEOTime`` (local time, so `TZ`
/// applies), sizes through ``ThousandsSeparator``, `%f` through ``CFormat``.
package struct CircularReportFormatter {
    private var out: ReportWriter
    private var time = ZEOTime()
    /// ZEO's column widths: `"%12s %6s %7s %7s %6s %6s %7s"` plus `" %7s"` per extra column.
    private static let widths = [12, 6, 7, 7, 6, 6, 7, 7, 7]

    /// A formatter writing to `sink`.
    package init(sink: any ReportSink) {
        out = ReportWriter(sink: sink)
    }

    /// Hands everything formatted so far to the sink.
    package mutating func flush() {
        out.flush()
    }

    /// The two header lines for a file of `limit` bytes.
    package mutating func header(limit: Int) {
        out.append("CircularCacheSimulation, cache size ")
        out.grouped(limit)
        out.append(" bytes")
        out.newline()
        columns(["START TIME", "DUR.", "LOADS", "HITS", "INVALS", "WRITES", "HITRATE", "EVICTS", "INUSE"])
    }

    /// One report line: the stretch from `start` to `end` (timestamps) and its counts.
    package mutating func line(start: UInt32, end: UInt32, counts: CircularCacheSimulation.Counters, inUsePercent: Double) {
        let label = String(decoding: time.minuteLabel(Int64(start)), as: UTF8.self)
        let hitRate = counts.loads > 0
            ? CFormat.fixed(100.0 * Double(counts.hits) / Double(counts.loads), width: 5, precision: 1) + "%"
            : "n/a"
        columns([label, CircularReportFormatter.duration(Int64(end) - Int64(start)),
                 String(counts.loads), String(counts.hits), String(counts.invalidations), String(counts.writes),
                 hitRate, String(counts.evictions), CircularReportFormatter.inUse(inUsePercent)])
    }

    /// The separator before the final line: 74 dashes.
    package mutating func dashes() {
        out.repeated(UInt8(ascii: "-"), count: 74)
        out.newline()
    }

    private mutating func columns(_ values: [String]) {
        for (index, value) in values.enumerated() {
            if index > 0 { out.append(" ") }
            out.rightAligned(value, width: CircularReportFormatter.widths[index])
        }
        out.newline()
    }

    /// ZEO's `duration(secs)`: `h:mm:ss`, `m:ss` or `s`, with Python's floor division, so a
    /// negative span (the clock went back) prints as ZEO prints it (`-1:59:55` for −5 s).
    package static func duration(_ seconds: Int64) -> String {
        func floorDivMod(_ a: Int64, _ b: Int64) -> (Int64, Int64) {
            let quotient = a / b, remainder = a % b
            return remainder < 0 ? (quotient - 1, remainder + b) : (quotient, remainder)
        }
        let (totalMinutes, secs) = floorDivMod(seconds, 60)
        let (hours, minutes) = floorDivMod(totalMinutes, 60)
        func twoDigits(_ value: Int64) -> String { value < 10 ? "0\(value)" : "\(value)" }
        if hours != 0 { return "\(hours):\(twoDigits(minutes)):\(twoDigits(secs))" }
        if minutes != 0 { return "\(minutes):\(twoDigits(secs))" }
        return "\(secs)"
    }

    /// ZEO's `str(round(percent, 1))`: one decimal (`1.3`, `100.0`). Python's `round` and the C
    /// library's `%.1f` both round the exact binary value half to even, so they agree.
    package static func inUse(_ percent: Double) -> String {
        CFormat.fixed(percent, precision: 1)
    }
}
