/// The overall figures of a trace, as `cache-stats` reports them in its statistics block.
public struct CacheStatsTotals: Hashable, Sendable {
    /// Records read (zero-timestamp headers and an incomplete tail are not records).
    public var records = 0
    /// The stream position reached: the (uncompressed) trace size after a complete read.
    public var bytesRead: UInt64 = 0
    /// Records with the version flag (`0x80`).
    public var versions = 0
    /// Records that carry a data length.
    public var dataRecords = 0
    /// The sum of those data lengths.
    public var dataBytes = 0
    /// Load records of every kind (`code & 0x70 == 0x20`).
    public var loads = 0
    /// Load hits (`0x22` and `0x26`).
    public var loadHits = 0
    /// The timestamp of the first record (0 when there is none).
    public var firstTimestamp: UInt32 = 0
    /// The timestamp of the last record (0 when there is none).
    public var lastTimestamp: UInt32 = 0
    /// Record counts indexed by function code (`code & 0x7e`, so 0…126, even indices only).
    public var countsByCode = [Int](repeating: 0, count: 128)

    /// Empty totals.
    public init() {}

    /// `100 × hits / loads`, or 0 without loads (ZEO's overall hit rate).
    public var hitRatePercent: Double {
        loads > 0 ? 100.0 * Double(loadHits) / Double(loads) : 0.0
    }
}
