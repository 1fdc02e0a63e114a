/// One interval line of the report, kept for the JSON summary.
public struct CacheStatsInterval: Hashable, Sendable, Codable {
    /// The first timestamp seen in the interval (seconds since 1970).
    public var first: UInt32
    /// The last timestamp seen in the interval.
    public var last: UInt32
    /// The four columns.
    public var counts: IntervalCounts
}
