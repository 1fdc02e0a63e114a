/// One row of a size histogram (`-s`): `records` records of `size` bytes, for `objects`
/// distinct oids.
public struct SizeHistogramRow: Hashable, Sendable, Codable {
    public var size: Int
    public var objects: Int
    public var records: Int
}
