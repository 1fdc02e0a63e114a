/// What one view (one connection) did: its loads and how many the cache answered.
///
/// The checkpoint bookkeeping behind them (polls, rebuilds, adoptions, shifts, copies forward)
/// is in ``description``, for logs.
public struct ViewStatistics: Sendable, Equatable, Codable, CustomStringConvertible {
    /// Objects asked for.
    public package(set) var loads = 0
    /// Loads answered by the cache.
    public package(set) var hits = 0
    /// Loads that went to the storage.
    public package(set) var misses = 0
    /// Hits on an older checkpoint's entry, copied forward to `cp0`.
    package var copiesForward = 0
    /// Polls.
    package var polls = 0
    /// Polls that rebuilt `deltaAfter0` with a `listChanges` query.
    package var rebuilds = 0
    /// Times the view adopted newer process checkpoints.
    package var adoptions = 0
    /// Shifts this view triggered.
    package var shifts = 0

    /// An empty record.
    package init() {}

    /// Every counter, for the code that treats them alike (``add(_:)``).
    static var counters: [WritableKeyPath<ViewStatistics, Int>] {
        [\.loads, \.hits, \.misses, \.copiesForward, \.polls, \.rebuilds, \.adoptions, \.shifts]
    }

    /// Adds `other`'s counts, to sum the statistics of several views (a process's connections).
    package mutating func add(_ other: ViewStatistics) {
        for counter in Self.counters { self[keyPath: counter] += other[keyPath: counter] }
    }

    /// `hits / loads`, or 0 before the first load.
    public var hitRate: Double { loads == 0 ? 0 : Double(hits) / Double(loads) }

    public var description: String {
        "loads \(loads), hits \(hits), misses \(misses), hit rate \(Int((hitRate * 1000).rounded()) / 10)%, "
            + "polls \(polls), rebuilds \(rebuilds), adoptions \(adoptions), shifts \(shifts)"
    }
}
