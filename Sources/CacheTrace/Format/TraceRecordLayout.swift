/// Where each field of a trace record sits, and the one encoder and decoder of that layout:
/// ``TraceWriter`` writes records only through ``append(_:to:)`` and ``TraceReader`` reads
/// them only through ``decode(at:offset:)``, so the two cannot disagree (the table is
/// ``TraceFormat``'s; all fields big-endian).
///
/// ```swift
/// var bytes: [UInt8] = []
/// TraceRecordLayout.append(TraceRecord(timestamp: 1_700_000_000, encoded: 0x20, oid: 42), to: &bytes)
/// bytes.withUnsafeBytes { TraceRecordLayout.decode(at: $0.baseAddress!, offset: 0) }.oid   // 42
/// ```
///
/// The decoder reads unaligned big-endian words straight out of the caller's buffer: no
/// allocation, no bounds check. The caller guarantees the bytes are there (``headerSize``
/// bytes before it may call ``oidLength(at:)``, ``TraceRecord/size`` before
/// ``decode(at:offset:)``), as the reader's loop does once per record.
public enum TraceRecordLayout {
    /// `timestamp`: UInt32, seconds since 1970; 0 never starts a real record.
    public static let timestampOffset = 0
    /// `encoded`: Int32, `(dataLength << 8) | code`.
    public static let encodedOffset = 4
    /// `oidLength`: UInt16.
    public static let oidLengthOffset = 8
    /// `tid`: UInt64, the start tid.
    public static let tidOffset = 10
    /// `endTid`: UInt64, the end tid of non-current data, else 0.
    public static let endTidOffset = 18
    /// The oid's bytes (`oidLength` of them; a big-endian UInt64 when 8).
    public static let oidOffset = 26
    /// The fixed part before the oid (``TraceFormat/headerSize``).
    public static let headerSize = oidOffset

    // MARK: Encoding

    /// Appends `record`: its header, then its oid when it is a standard 8-byte one. For any
    /// other ``TraceRecord/oidLength`` the caller appends that many oid bytes itself.
    ///
    /// No allocation while `buffer` has capacity for the record.
    @inlinable @inline(__always)
    public static func append(_ record: TraceRecord, to buffer: inout [UInt8]) {
        let size = record.hasStandardOID ? headerSize + 8 : headerSize
        let start = buffer.count
        buffer.append(contentsOf: repeatElement(0, count: size))
        buffer.withUnsafeMutableBytes { bytes in
            let base = bytes.baseAddress! + start
            base.storeBytes(of: record.timestamp.bigEndian, toByteOffset: timestampOffset, as: UInt32.self)
            base.storeBytes(of: record.encoded.bigEndian, toByteOffset: encodedOffset, as: Int32.self)
            base.storeBytes(of: record.oidLength.bigEndian, toByteOffset: oidLengthOffset, as: UInt16.self)
            base.storeBytes(of: record.tid.bigEndian, toByteOffset: tidOffset, as: UInt64.self)
            base.storeBytes(of: record.endTid.bigEndian, toByteOffset: endTidOffset, as: UInt64.self)
            if record.hasStandardOID {
                base.storeBytes(of: record.oid.bigEndian, toByteOffset: oidOffset, as: UInt64.self)
            }
        }
    }

    // MARK: Decoding

    /// The timestamp of the record starting at `header` (``headerSize`` bytes must be readable).
    @inlinable @inline(__always)
    public static func timestamp(at header: UnsafeRawPointer) -> UInt32 {
        UInt32(bigEndian: header.loadUnaligned(fromByteOffset: timestampOffset, as: UInt32.self))
    }

    /// The oid length of the record starting at `header` (``headerSize`` bytes must be readable).
    @inlinable @inline(__always)
    public static func oidLength(at header: UnsafeRawPointer) -> Int {
        Int(UInt16(bigEndian: header.loadUnaligned(fromByteOffset: oidLengthOffset, as: UInt16.self)))
    }

    /// The record starting at `header`, found at stream position `offset`. The whole record —
    /// ``headerSize`` plus its oid length — must be readable.
    @inlinable @inline(__always)
    public static func decode(at header: UnsafeRawPointer, offset: UInt64) -> TraceRecord {
        let oidLength = UInt16(truncatingIfNeeded: oidLength(at: header))
        return TraceRecord(
            offset: offset,
            timestamp: timestamp(at: header),
            encoded: Int32(bigEndian: header.loadUnaligned(fromByteOffset: encodedOffset, as: Int32.self)),
            oidLength: oidLength,
            oid: oidLength == 8 ? UInt64(bigEndian: header.loadUnaligned(fromByteOffset: oidOffset, as: UInt64.self)) : 0,
            tid: UInt64(bigEndian: header.loadUnaligned(fromByteOffset: tidOffset, as: UInt64.self)),
            endTid: UInt64(bigEndian: header.loadUnaligned(fromByteOffset: endTidOffset, as: UInt64.self)))
    }
}
