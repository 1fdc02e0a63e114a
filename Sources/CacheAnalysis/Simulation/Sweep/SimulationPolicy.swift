/// The replacement policies `cache-simul` can replay a trace against.
public enum SimulationPolicy: String, Sendable, CaseIterable, Codable {
    /// ZEO's circular cache file, reported as ZEO's `cache_simul.py` reports it.
    case circular
    /// Least recently used, exactly.
    case lru
    /// ARC, the Adaptive Replacement Cache (Megiddo & Modha, FAST 2003): `ARCSimulator`.
    case arc
    /// LIRS (Jiang & Zhang, SIGMETRICS 2002): `LIRSSimulator`.
    case lirs
    /// Full 2Q (Johnson & Shasha, VLDB 1994): `TwoQueueSimulator`.
    case twoQueue = "2q"
    /// S3-FIFO (Yang et al., SOSP 2023): `S3FIFOSimulator`.
    case s3fifo
    /// CacheCore's own W-TinyLFU (`WindowTinyLFU`), the policy StateCache runs.
    case wtinylfu
    /// Bélády's clairvoyant policy with bypass: the bound no online policy can beat.
    case opt

    /// Every policy a sweep can run — what `--policy all` runs (ZEO's circular file has its
    /// own report).
    public static let sweepable: [SimulationPolicy] = [.lru, .arc, .lirs, .twoQueue, .s3fifo, .wtinylfu, .opt]

    /// The policies a sweep runs when none is named: LRU, what StateCache runs, and the ceiling.
    public static let defaultSweep: [SimulationPolicy] = [.lru, .wtinylfu, .opt]

    /// The names `--policy` accepts, in order, for help and error messages
    /// (`circular, lru, arc, lirs, 2q, s3fifo, wtinylfu, opt`).
    package static let names = ([.circular] + sweepable).map(\.rawValue).joined(separator: ", ")

    /// Parses `--policy`: one name, a comma-separated list, or `all`.
    ///
    /// - Returns: nil if a name is unknown or the list is empty.
    package static func parseList(_ text: String) -> [SimulationPolicy]? {
        var policies: [SimulationPolicy] = []
        for name in text.split(separator: ",", omittingEmptySubsequences: false) {
            let word = name.trimmingCharacters(in: " ").lowercased()
            if word == "all" {
                policies += sweepable
            } else if let policy = SimulationPolicy(rawValue: word) {
                policies.append(policy)
            } else {
                return nil
            }
        }
        var seen = Set<SimulationPolicy>()
        let unique = policies.filter { seen.insert($0).inserted }
        return unique.isEmpty ? nil : unique
    }
}

extension Substring {
    /// The text without leading and trailing `character`s.
    fileprivate func trimmingCharacters(in character: Character) -> String {
        var slice = self[...]
        while slice.first == character { slice.removeFirst() }
        while slice.last == character { slice.removeLast() }
        return String(slice)
    }
}
