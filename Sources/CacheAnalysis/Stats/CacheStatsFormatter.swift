import CacheTrace

/// Every line `cache-stats` prints, byte for byte as ZEO's `cache_stats.py` prints it.
///
/// This is the one place that knows the text format (ZEO's trace tools), so
/// "byte-identical" is kept true here and nowhere else: the engine decides *what* to report and
/// when, this type decides how it looks. All times go through ``ZEOTime`` (local time), all
/// grouped numbers through ``ThousandsSeparator``, all `%f` through ``CFormat``.
package struct CacheStatsFormatter {
    private var out: ReportWriter
    private var time = ZEOTime()

    /// A formatter writing to `sink`.
    package init(sink: any ReportSink) {
        out = ReportWriter(sink: sink)
    }

    /// Hands everything formatted so far to the sink.
    package mutating func flush() {
        out.flush()
    }

    /// The column header, printed first even with `-q`:
    /// `                   loads    hits  inv(h)  writes hitrate`.
    package mutating func header() {
        columnHeads([("", 16), ("loads", 7), ("hits", 7), ("inv(h)", 7), ("writes", 7), ("hitrate", 7)])
    }

    /// An interval line: `Mar  9 23:50-59      67       5       5      16    7.5%` — the first
    /// and last timestamps seen in the interval, then the four counts and the hit rate.
    package mutating func interval(first: UInt32, last: UInt32, counts: IntervalCounts) {
        out.append(bytes: time.minuteLabel(Int64(first)))
        out.append("-")
        out.append(bytes: time.minuteOfHour(Int64(last)))
        for value in [counts.loads, counts.hits, counts.invalidations, counts.writes] {
            out.append(" ")
            out.integer(value, width: 7)
        }
        out.append(" ")
        if counts.loads > 0 {
            out.rightAligned(CFormat.fixed(100.0 * Double(counts.hits) / Double(counts.loads),
                                           width: 5, precision: 1) + "%", width: 7)
        } else {
            out.rightAligned("n/a", width: 7)
        }
        out.newline()
    }

    /// A restart line: `Mar 10 00:11:55 ==================== Restart ====================`.
    package mutating func restart(at timestamp: UInt32) {
        out.append(bytes: time.secondLabel(Int64(timestamp)))
        out.append(" ==================== Restart ====================")
        out.newline()
    }

    /// The note for a zero-timestamp header: `Skipping 8 bytes at offset 24656`.
    package mutating func skipped(at offset: UInt64) {
        out.append("Skipping 8 bytes at offset ")
        out.integer(offset)
        out.newline()
    }

    /// A verbose (`-v`) record line:
    /// `Mar  9 23:51:04 52                0 03f717b600000000 0000000000000000 - 445`.
    /// An 8-byte oid prints as space-padded hex, any other as Python's `repr` of the bytes.
    package mutating func record(_ record: TraceRecord, oidBytes: UnsafeRawBufferPointer) {
        out.append(bytes: time.secondLabel(Int64(record.timestamp)))
        out.append(" ")
        out.hex(UInt64(record.code.function.rawValue), zeroPaddedTo: 2)
        out.append(" ")
        if record.hasStandardOID {
            out.hex(record.oid, spacePaddedTo: 16)
        } else {
            var repr: [UInt8] = []
            PythonBytesRepr.append(oidBytes, to: &repr)
            out.append(bytes: repr)
        }
        out.append(" ")
        out.hex(record.tid, zeroPaddedTo: 16)
        out.append(" ")
        out.hex(record.endTid, zeroPaddedTo: 16)
        out.append(record.code.hasVersionFlag ? " V" : " -")
        let length = record.dataLength
        if length != 0 {
            out.append(" ")
            out.integer(length)
        }
        out.newline()
    }

    /// What ZEO prints when Ctrl-C stops the reading: a blank line, the note, a blank line.
    package mutating func interrupted() {
        out.newline()
        out.line("Interrupted.  Stats so far:")
        out.newline()
    }

    /// The statistics block and the code table (omitted with `-S`).
    ///
    /// - Parameter elapsedSeconds: the run time shown in the `Read …` line.
    package mutating func statistics(_ totals: CacheStatsTotals, elapsedSeconds: Double) {
        out.newline()
        out.append("Read ")
        out.grouped(totals.records)
        out.append(" trace records (")
        out.grouped(totals.bytesRead)
        out.append(" bytes) in ")
        out.fixed(elapsedSeconds, precision: 1)
        out.line(" seconds")
        out.append("Versions:   ")
        out.grouped(totals.versions)
        out.line(" records used a version")
        out.line("First time: " + time.ctime(Int64(totals.firstTimestamp)))
        out.line("Last time:  " + time.ctime(Int64(totals.lastTimestamp)))
        out.append("Duration:   ")
        out.grouped(Int64(totals.lastTimestamp) - Int64(totals.firstTimestamp))
        out.line(" seconds")
        out.append("Data recs:  ")
        out.grouped(totals.dataRecords)
        out.append(" (")
        out.fixed(100.0 * Double(totals.dataRecords) / Double(totals.records), precision: 1)
        out.append("%), average size ")
        // Python: `"%d" % (datasize / datarecords)` — a float quotient, truncated. ZEO divides
        // by zero when no record has data; we print 0.
        if totals.dataRecords > 0 {
            out.integer(Int64((Double(totals.dataBytes) / Double(totals.dataRecords)).rounded(.towardZero)))
        } else {
            out.append("0")
        }
        out.line(" bytes")
        out.append("Hit rate:   ")
        out.fixed(totals.hitRatePercent, precision: 1)
        out.line("% (load hits / loads)")
        out.newline()
        out.rightAligned("Count", width: 13)
        out.line(" Code Function (action)")
        for code in 0 ..< totals.countsByCode.count where totals.countsByCode[code] > 0 {
            out.grouped(totals.countsByCode[code], width: 13)
            out.append("  ")
            out.hex(UInt64(code), zeroPaddedTo: 2)
            out.append("  ")
            out.line(ZEOCodeDescriptions.text(for: TraceEventCode(UInt8(code))))
        }
    }

    /// The load-frequency histogram (`-h`).
    package mutating func loadHistogram(_ histogram: LoadHistogram) {
        out.newline()
        out.line("Histogram of object load frequency")
        out.append("Unique oids: ")
        out.grouped(histogram.uniqueOIDs)
        out.newline()
        out.append("Total loads: ")
        out.grouped(histogram.totalLoads)
        out.newline()
        let width = Swift.max(ThousandsSeparator.format(histogram.uniqueOIDs).utf8.count, "objects".count)
        columnHeads([("loads", 5), ("objects", width), ("%obj", 6), ("%load", 6), ("%cum", 6)])
        var cumulative = 0.0
        for bin in histogram.bins {
            // The same floating-point operations, in the same order, as ZEO.
            let objectPercent = 100.0 * Double(bin.objects) / Double(histogram.uniqueOIDs)
            let loadPercent = 100.0 * Double(bin.objects) * Double(bin.loads) / Double(histogram.totalLoads)
            cumulative += loadPercent
            out.integer(bin.loads, width: 5)
            out.append(" ")
            out.grouped(bin.objects, width: width)
            for percent in [objectPercent, loadPercent, cumulative] {
                out.append(" ")
                out.fixed(percent, width: 5, precision: 1)
                out.append("%")
            }
            out.newline()
        }
    }

    /// The two object-size histograms (`-s`): sizes written, then sizes loaded.
    package mutating func sizeHistograms(written: [SizeHistogramRow], loaded: [SizeHistogramRow]) {
        out.newline()
        out.line("Histograms of object sizes")
        out.newline()
        sizeTable(written, how: "written", column: "writes")
        sizeTable(loaded, how: "loaded", column: "loads")
    }

    private mutating func sizeTable(_ rows: [SizeHistogramRow], how: String, column: String) {
        out.newline()
        out.append("Unique sizes \(how): ")
        out.grouped(rows.count)
        out.newline()
        columnHeads([("size", 10), ("objs", 6), (column, 6)])
        for row in rows {
            out.grouped(row.size, width: 10)
            out.append(" ")
            out.integer(row.objects, width: 6)
            out.append(" ")
            out.integer(row.records, width: 6)
            out.newline()
        }
    }

    /// A table's header line: each name right-aligned in its width, one space between them (as
    /// ZEO's `%Ns %Ns …` headers print).
    private mutating func columnHeads(_ columns: [(name: String, width: Int)]) {
        for (index, column) in columns.enumerated() {
            if index > 0 { out.append(" ") }
            out.rightAligned(column.name, width: column.width)
        }
        out.newline()
    }
}
