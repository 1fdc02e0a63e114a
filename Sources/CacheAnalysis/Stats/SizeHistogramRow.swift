/// One row of a size histogram (`-s`): `records` records of `size` bytes, for `objects`
/// distinct oids.
public struct SizeHistogramRow: Hashable, Sendable, Codable {
    /// The data length in bytes.
    public var size: Int
    /// Distinct oids seen with that length.
    public var objects: Int
    /// Records with that length.
    public var records: Int
}
