/// The ZEO client-cache trace format: a flat file of fixed-header records, all big-endian.
///
/// ZEO (`ZEO.cache.ClientCache`) and RelStorage write one record per cache event; ZEO's
/// `cache_stats` and `cache_simul`, and our `cache-stats`, read them. StateCache writes the same
/// bytes, so either side's tools work on the other's traces (`docs/traces.md`,
/// ZEO's trace tools).
///
/// ```text
/// offset size field
///      0    4 timestamp   UInt32, seconds since 1970 (ZEO 6.2 reads it unsigned: good to 2106)
///      4    4 encoded     Int32 = (dataLength << 8) | code
///      8    2 oidLength   UInt16
///     10    8 tid         the "start" tid
///     18    8 endTid      the end tid (non-current data) or 8 zero bytes
///     26    n oid         oidLength bytes; 8 (a big-endian UInt64) for every real object,
///                         0 for a restart record and for RelStorage's root object
/// ```
///
/// `encoded` packs the event code in its low byte (see ``TraceEventCode``) and the length of the
/// object state in bits 8–30, so a length is at most ``maxDataLength`` (8 MiB − 1); ZEO crashes
/// when asked to trace a larger state, our ``TraceWriter`` clamps it. A timestamp of 0 never
/// starts a real record: readers take it as the sign of a record torn by a crash and resync
/// (see ``MisalignmentRecovery``).
public enum TraceFormat {
    /// The size of the fixed part of a record, before the oid.
    public static let headerSize = TraceRecordLayout.headerSize

    /// The size of a record with an ordinary 8-byte oid.
    public static let standardRecordSize = headerSize + 8

    /// The largest data length the 23-bit field of `encoded` can hold (8,388,607 bytes).
    public static let maxDataLength = (1 << 23) - 1

    /// The longest oid a record can carry (the oid length is a 16-bit field).
    public static let maxOIDLength = Int(UInt16.max)

    /// The largest record: a header and the longest oid. A reader's buffer must hold one.
    public static let maxRecordSize = headerSize + maxOIDLength

    /// Packs a code and a data length into the `encoded` field, clamping the length to
    /// `0...maxDataLength` (so an oversized state is recorded as 8 MiB − 1 rather than lost).
    @inlinable
    public static func encode(code: UInt8, dataLength: Int) -> Int32 {
        let length = Swift.min(Swift.max(dataLength, 0), maxDataLength)
        return Int32(truncatingIfNeeded: (length << 8) | Int(code))
    }

    /// The data length packed in `encoded` (bits 8–30; the sign bit is ignored as ZEO does).
    @inlinable
    public static func dataLength(encoded: Int32) -> Int {
        Int((UInt32(bitPattern: encoded) & 0x7FFF_FF00) >> 8)
    }

    /// The code byte packed in `encoded` (all eight bits, version flag included).
    @inlinable
    public static func codeByte(encoded: Int32) -> UInt8 {
        UInt8(truncatingIfNeeded: encoded)
    }
}
