/// The write loop of the storage benchmarks, for ours and the raw baselines alike: commit after
/// commit for a fixed time, each writing the next consecutive objects of a range, so every
/// variant measures commits per second over the same access pattern.
enum CommitRate {
    /// Calls `commit` for `limit` seconds; each call gets the next `perTransaction` consecutive
    /// indexes of `range` (wrapping around) and its round (1, 2, …: what makes each write's state
    /// new). Returns the commits per second.
    static func measure(range: Range<Int>, perTransaction: Int, seconds limit: Double,
                        _ commit: (_ indexes: [Int], _ round: Int) throws -> Void) rethrows -> Double {
        var position = range.lowerBound, commits = 0
        let start = ContinuousClock.now
        while (ContinuousClock.now - start).seconds < limit {
            var indexes: [Int] = []
            for _ in 0..<perTransaction {
                indexes.append(position)
                position = position + 1 == range.upperBound ? range.lowerBound : position + 1
            }
            commits += 1
            try commit(indexes, commits)
        }
        return Double(commits) / (ContinuousClock.now - start).seconds
    }

    /// The commit rows of a storage group: for 1, 10 and 100 objects per transaction, the best
    /// of `rounds` runs of `ours` against the best of `raw` (alternating which runs first), ours on the first half of the
    /// `objectCount` objects and the raw baseline on the second (so neither sees the other's
    /// writes). Each closure gets the objects per transaction and its range, and returns
    /// commits per second.
    static func rows(group: String, objectCount: Int, rounds: Int, baseline: String, notes: [String: Double],
                     ours: (_ perTransaction: Int, _ range: Range<Int>) throws -> Double,
                     raw: (_ perTransaction: Int, _ range: Range<Int>) throws -> Double) rethrows -> [BenchmarkRow] {
        let half = objectCount / 2
        var rows: [BenchmarkRow] = []
        for perTransaction in [1, 10, 100] {
            var oursBest = 0.0, rawBest = 0.0
            // Each side goes first in every other round, so that neither always meets what
            // the previous phase left running (autovacuum after a bulk load, say).
            for round in 0..<rounds {
                if round % 2 == 0 {
                    oursBest = max(oursBest, try ours(perTransaction, 0..<half))
                    rawBest = max(rawBest, try raw(perTransaction, half..<objectCount))
                } else {
                    rawBest = max(rawBest, try raw(perTransaction, half..<objectCount))
                    oursBest = max(oursBest, try ours(perTransaction, 0..<half))
                }
            }
            var rowNotes = notes
            rowNotes["objectsPerSecond"] = oursBest * Double(perTransaction)
            rows.append(BenchmarkRow(group: group, name: "commit \(perTransaction) object\(perTransaction == 1 ? "" : "s")/txn",
                                     value: oursBest, unit: "commits/s", baseline: baseline,
                                     baselineValue: rawBest, notes: rowNotes))
        }
        return rows
    }
}
