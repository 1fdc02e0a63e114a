/// An incomplete record at the end of a trace, left by a process that was killed mid-write.
///
/// The reader stops there without failing; ZEO's tools silently ignore such a tail, ours can say so.
public struct TraceTruncation: Hashable, Sendable, CustomStringConvertible {
    /// Which part of the record the stream ended in.
    public enum Part: Hashable, Sendable {
        /// Fewer than 26 bytes were left: the header itself is incomplete.
        case header
        /// The header was complete but declared a longer oid than the bytes that remain.
        case oid(declaredLength: Int)
    }

    /// The stream offset where the incomplete record starts.
    public var offset: UInt64
    /// How many bytes of it the stream holds.
    public var availableBytes: Int
    /// Where the stream ended.
    public var part: Part

    /// Creates a truncation report.
    public init(offset: UInt64, availableBytes: Int, part: Part) {
        self.offset = offset
        self.availableBytes = availableBytes
        self.part = part
    }

    /// A one-line explanation naming the offset and what is missing.
    public var description: String {
        switch part {
        case .header:
            return "incomplete record at offset \(offset): \(availableBytes) byte(s) left, "
                + "a header needs \(TraceFormat.headerSize); ignored"
        case .oid(let declared):
            return "incomplete record at offset \(offset): its header declares a \(declared)-byte oid "
                + "but only \(availableBytes - TraceFormat.headerSize) byte(s) follow; ignored"
        }
    }
}
