/// A snapshot of what a ``SharedStateCache`` holds and has done (`docs/cache.md`).
public struct CacheStatistics: Sendable, Equatable, Codable, CustomStringConvertible {
    /// How full one policy region is: its entries and their bytes. (Which region is
    /// `WindowTinyLFU.Region`; this is what one holds.)
    package struct RegionOccupancy: Sendable, Equatable, Codable {
        package var entries = 0
        /// Payload bytes plus per-entry overhead (the weight the bound counts).
        package var bytes = 0
    }

    /// Lookups that found an entry.
    public var hits = 0
    /// Lookups that found none.
    public var misses = 0
    /// Entries stored (new or replaced).
    public var sets = 0
    /// Entries pushed out to respect the bound.
    public var evictions = 0
    /// Evictions of newcomers that lost TinyLFU's admission contest.
    public var admissionRejections = 0
    /// States refused because their stored size is `cacheLocalObjectMax` or more.
    public var refused = 0
    /// The number of entries.
    public var entries = 0
    /// Their weight: payload bytes plus per-entry overhead.
    public var bytes = 0
    /// The bound on ``bytes``.
    public var capacityBytes = 0
    /// The admission window.
    package var window = RegionOccupancy()
    /// The main space's probation segment.
    package var probation = RegionOccupancy()
    /// The main space's protected segment.
    package var protected = RegionOccupancy()
    /// The window's current budget as a share of the capacity (0…1).
    package var windowShare = 0.0

    /// An empty snapshot.
    package init() {}

    /// `hits / (hits + misses)`, or 0 before the first lookup.
    public var hitRate: Double { hits + misses == 0 ? 0 : Double(hits) / Double(hits + misses) }

    public var description: String {
        "hits \(hits), misses \(misses) (hit rate \(Int((hitRate * 1000).rounded()) / 10)%), sets \(sets), "
            + "evictions \(evictions), refused \(refused), entries \(entries), bytes \(bytes)/\(capacityBytes), "
            + "window \(window.entries)/\(window.bytes) B, probation \(probation.entries)/\(probation.bytes) B, "
            + "protected \(protected.entries)/\(protected.bytes) B, window share \(windowShare)"
    }
}
