import CacheCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where a report's bytes go: a file descriptor (standard output) or memory (tests).
///
/// Reports are written through a `ReportWriter`, which hands the sink large chunks.
public protocol ReportSink: AnyObject {
    /// Takes the next chunk of the report.
    func write(_ bytes: UnsafeRawBufferPointer)
}

/// Writes to a file descriptor (standard output by default), retrying short writes.
///
/// Write errors (a closed pipe, a full disk) end the output silently — there is no one left to
/// tell on standard output — and are counted in ``failed``.
public final class FileDescriptorSink: ReportSink {
    private let descriptor: Int32
    /// Whether a write failed (the rest of the report was dropped).
    public private(set) var failed = false

    /// A sink writing to `descriptor` (not closed by the sink).
    public init(descriptor: Int32 = STDOUT_FILENO) {
        self.descriptor = descriptor
    }

    public func write(_ bytes: UnsafeRawBufferPointer) {
        guard !failed, let base = bytes.baseAddress else { return }
        if SystemCalls.writeAll(descriptor, base, bytes.count) != 0 { failed = true }
    }
}

/// Collects a report in memory (for tests and for callers that post-process it).
public final class MemorySink: ReportSink {
    /// Everything written so far.
    public private(set) var bytes: [UInt8] = []

    /// An empty sink.
    public init() {}

    public func write(_ bytes: UnsafeRawBufferPointer) {
        self.bytes.append(contentsOf: bytes)
    }

    /// The report as text.
    public var text: String { String(decoding: bytes, as: UTF8.self) }
}
