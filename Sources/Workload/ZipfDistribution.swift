import CacheCore
import Foundation

/// Draws ranks 0..<n with probability proportional to 1/(rank+1)^s (Zipf's law), the usual
/// model of object popularity in caching benchmarks.
///
/// The cumulative distribution is tabulated once (O(n) memory) and sampled by binary search,
/// so drawing is O(log n) with no allocation. It lives beside ``SplitMix64`` because the
/// benchmarks, the demo and the tests all draw skewed workloads from it.
public struct ZipfDistribution: Sendable {
    private let cumulative: [Double]

    /// A distribution over `count` ranks with exponent `exponent` (0.9 is typical of object stores).
    public init(count: Int, exponent: Double) {
        precondition(count > 0)
        var running = 0.0
        var table = [Double](repeating: 0, count: count)
        for rank in 0..<count {
            running += 1 / pow(Double(rank + 1), exponent)
            table[rank] = running
        }
        cumulative = table.map { $0 / running }
    }

    /// A rank, 0 being the most popular.
    public func next(using generator: inout SplitMix64) -> Int {
        let u = Double(generator.next() >> 11) / Double(1 << 53)
        var low = 0
        var high = cumulative.count - 1
        while low < high {
            let middle = (low + high) / 2
            if cumulative[middle] < u { low = middle + 1 } else { high = middle }
        }
        return low
    }
}

