/// One interval line of the report, kept for the JSON summary.
public struct CacheStatsInterval: Hashable, Sendable, Codable {
    /// The first and last timestamps seen in the interval (seconds since 1970).
    public var first: UInt32
    public var last: UInt32
    /// The four columns.
    public var counts: IntervalCounts
}
