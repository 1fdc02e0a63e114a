/// The 64-bit identifier of a persistent object (ZODB's OID).
///
/// On disk and in traces an OID is 8 bytes, big-endian; OID 0 is the database root.
/// A distinct type (rather than a bare `UInt64`) keeps OIDs and TIDs from being swapped.
public struct ObjectID: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The OID as an unsigned 64-bit integer.
    public var rawValue: UInt64

    /// Wraps a raw OID value.
    @inlinable public init(rawValue: UInt64) { self.rawValue = rawValue }

    /// Wraps a raw OID value.
    @inlinable public init(_ rawValue: UInt64) { self.rawValue = rawValue }

    /// The root object's OID (0).
    public static let root = ObjectID(0)

    @inlinable public static func < (lhs: ObjectID, rhs: ObjectID) -> Bool { lhs.rawValue < rhs.rawValue }

    /// `0x…` hexadecimal, as ZODB's tools print OIDs.
    public var description: String { "0x" + String(rawValue, radix: 16) }
}
