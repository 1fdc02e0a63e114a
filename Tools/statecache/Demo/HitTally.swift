/// Loads and the hits among them over some stretch of a run (all of it, the warm-up, the
/// steady state), and the hit rate they give: the one way the demo counts and rates a stretch.
struct HitTally: Codable, Sendable, Equatable {
    var loads = 0
    var hits = 0

    /// `hits / loads`, or 0 before the first load.
    var hitRate: Double { loads == 0 ? 0 : Double(hits) / Double(loads) }

    /// Counts one load per flag, a hit where it is true.
    mutating func add(_ hitFlags: some Collection<Bool>) {
        loads += hitFlags.count
        hits += hitFlags.lazy.filter { $0 }.count
    }

    /// Adds `other`'s loads and hits.
    mutating func add(_ other: HitTally) {
        loads += other.loads
        hits += other.hits
    }
}
