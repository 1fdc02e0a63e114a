/// A statement parameter in PostgreSQL's binary format: what ``PostgresConnectionHandle``
/// sends for `$1`, `$2`, … (big-endian integers, raw bytea, one-dimensional arrays).
enum PostgresParameter {
    /// `int8`.
    case int8(Int64)
    /// `bytea`.
    case bytea([UInt8])
    /// `int8[]`; nil elements are SQL NULL.
    case int8Array([Int64?])
    /// `bytea[]`.
    case byteaArray([[UInt8]])

    /// The type OIDs of PostgreSQL's catalog (`pg_type`), fixed since 7.x.
    static let int8OID: UInt32 = 20
    static let byteaOID: UInt32 = 17
    static let int8ArrayOID: UInt32 = 1016
    static let byteaArrayOID: UInt32 = 1001

    /// The parameter's type OID.
    var typeOID: UInt32 {
        switch self {
        case .int8: return Self.int8OID
        case .bytea: return Self.byteaOID
        case .int8Array: return Self.int8ArrayOID
        case .byteaArray: return Self.byteaArrayOID
        }
    }

    /// Appends the binary encoding to `buffer`.
    ///
    /// An array is: dimensions (1, or 0 when empty), a has-nulls flag, the element type, then
    /// per dimension its length and lower bound (1), then each element as a length (−1 for
    /// NULL) and its bytes — the format of `array_send`.
    func encode(into buffer: inout [UInt8]) {
        switch self {
        case .int8(let value):
            Self.append(UInt64(bitPattern: value), to: &buffer)
        case .bytea(let bytes):
            buffer.append(contentsOf: bytes)
        case .int8Array(let values):
            Self.appendArrayHeader(count: values.count, hasNulls: values.contains(nil), element: Self.int8OID, to: &buffer)
            for value in values {
                if let value {
                    Self.append(UInt32(8), to: &buffer)
                    Self.append(UInt64(bitPattern: value), to: &buffer)
                } else {
                    Self.append(UInt32(bitPattern: -1), to: &buffer)
                }
            }
        case .byteaArray(let values):
            Self.appendArrayHeader(count: values.count, hasNulls: false, element: Self.byteaOID, to: &buffer)
            for value in values {
                Self.append(UInt32(value.count), to: &buffer)
                buffer.append(contentsOf: value)
            }
        }
    }

    private static func appendArrayHeader(count: Int, hasNulls: Bool, element: UInt32, to buffer: inout [UInt8]) {
        append(UInt32(count == 0 ? 0 : 1), to: &buffer)
        append(UInt32(hasNulls ? 1 : 0), to: &buffer)
        append(element, to: &buffer)
        if count > 0 {
            append(UInt32(count), to: &buffer)
            append(UInt32(1), to: &buffer)
        }
    }

    private static func append(_ value: UInt32, to buffer: inout [UInt8]) {
        for shift in stride(from: 24, through: 0, by: -8) { buffer.append(UInt8(truncatingIfNeeded: value >> UInt32(shift))) }
    }

    private static func append(_ value: UInt64, to buffer: inout [UInt8]) {
        for shift in stride(from: 56, through: 0, by: -8) { buffer.append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
    }
}
