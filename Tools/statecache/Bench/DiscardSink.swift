import CacheAnalysis

/// Discards a report: the trace benchmarks measure the engines, not the terminal.
final class DiscardSink: ReportSink {
    func write(_ bytes: UnsafeRawBufferPointer) {}
}
