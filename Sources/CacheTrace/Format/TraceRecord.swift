/// One decoded trace record: a plain value with no references, cheap to copy.
///
/// The reader decodes records in place from its buffer into this struct (no allocation per
/// record). An ordinary 8-byte oid is kept as a `UInt64` in ``oid``; any other length (0 for a
/// restart record or RelStorage's root object, anything for a garbage record) keeps only its
/// ``oidLength`` here, and the bytes are handed out next to the record while it is being read
/// (``TraceEvent/record(_:oidBytes:)``).
public struct TraceRecord: Hashable, Sendable {
    /// The byte offset of the record's first byte in the (uncompressed) stream.
    public var offset: UInt64
    /// Seconds since 1970 when the event happened; never 0 in a record the reader reports.
    public var timestamp: UInt32
    /// The raw `encoded` field: `(dataLength << 8) | code`.
    public var encoded: Int32
    /// The length of the oid field in bytes (8 for real objects).
    public var oidLength: UInt16
    /// The oid as a big-endian integer when ``oidLength`` is 8; 0 otherwise.
    public var oid: UInt64
    /// The start tid field, as a big-endian integer.
    public var tid: UInt64
    /// The end tid field, as a big-endian integer (0 for current data).
    public var endTid: UInt64

    /// Creates a record from its fields.
    @inlinable
    public init(offset: UInt64 = 0, timestamp: UInt32, encoded: Int32, oidLength: UInt16 = 8,
                oid: UInt64, tid: UInt64 = 0, endTid: UInt64 = 0) {
        self.offset = offset
        self.timestamp = timestamp
        self.encoded = encoded
        self.oidLength = oidLength
        self.oid = oid
        self.tid = tid
        self.endTid = endTid
    }

    /// The whole code byte (operation, outcome and flags).
    @inlinable public var code: TraceEventCode { TraceEventCode(TraceFormat.codeByte(encoded: encoded)) }

    /// The length of the object state the event carried (0 when none).
    @inlinable public var dataLength: Int { TraceFormat.dataLength(encoded: encoded) }

    /// Whether the oid is an ordinary 8-byte one (then ``oid`` holds it).
    @inlinable public var hasStandardOID: Bool { oidLength == 8 }

    /// The size of the record on disk: the header and the oid.
    @inlinable public var size: Int { TraceFormat.headerSize + Int(oidLength) }
}
