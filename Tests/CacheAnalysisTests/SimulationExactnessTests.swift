import CacheAnalysis
import CacheCore
import Foundation
import XCTest

/// `cache-simul --policy lru` and `--policy opt` on the LIRS traces, converted by the convert
/// code, against straightforward implementations written here, at three sizes per trace; and
/// the published W-TinyLFU reference points.
final class SimulationExactnessTests: XCTestCase {
    /// The keys renumbered 0, 1, 2, … in order of first appearance (so the references below can
    /// use arrays), and how many distinct keys there are.
    private func dense(_ keys: [UInt64]) -> (ids: [Int], distinct: Int) {
        var number: [UInt64: Int] = [:]
        let ids = keys.map { key in
            if let id = number[key] { return id }
            number[key] = number.count
            return number.count - 1
        }
        return (ids, number.count)
    }

    /// LRU the obvious way: each key's last access time, and which key was accessed at each
    /// time (while still cached); the victim is the cached key with the oldest time, found by
    /// walking a pointer forward through time.
    private func referenceLRU(_ ids: [Int], distinct: Int, capacity: Int) -> Int {
        var lastUse = [Int](repeating: -1, count: distinct)
        var keyAt = [Int](repeating: -1, count: ids.count)
        var cached = 0, oldest = 0, hits = 0
        for (time, key) in ids.enumerated() {
            if lastUse[key] >= 0 {
                hits += 1
                keyAt[lastUse[key]] = -1
            } else {
                cached += 1
            }
            lastUse[key] = time
            keyAt[time] = key
            if cached > capacity {
                while keyAt[oldest] < 0 { oldest += 1 }
                lastUse[keyAt[oldest]] = -1
                keyAt[oldest] = -1
                cached -= 1
            }
        }
        return hits
    }

    /// Bélády with bypass the obvious way: every access's next occurrence from a backward scan;
    /// insert on a miss, then evict a cached key that is never needed again, else the one needed
    /// latest — found by walking down an array that says, for each future time, which cached
    /// key is needed then (next uses are distinct times, so each holds at most one key).
    private func referenceOPT(_ ids: [Int], distinct: Int, capacity: Int) -> Int {
        let never = Int.max
        var next = [Int](repeating: never, count: ids.count)
        var seen = [Int](repeating: never, count: distinct)
        for time in ids.indices.reversed() {
            next[time] = seen[ids[time]]
            seen[ids[time]] = time
        }
        var cachedUntil = [Int](repeating: -1, count: distinct)  // -1: not cached
        var keyNeededAt = [Int](repeating: -1, count: ids.count)
        var neverAgain: [Int] = []
        var latest = -1
        var cached = 0, hits = 0
        for (time, key) in ids.enumerated() {
            if cachedUntil[key] >= 0 {
                hits += 1
                if cachedUntil[key] != never { keyNeededAt[cachedUntil[key]] = -1 }
            } else {
                cached += 1
            }
            cachedUntil[key] = next[time]
            if next[time] == never {
                neverAgain.append(key)
            } else {
                keyNeededAt[next[time]] = key
                latest = max(latest, next[time])
            }
            if cached > capacity {
                var victim = -1
                while victim < 0, let candidate = neverAgain.popLast() {
                    if cachedUntil[candidate] == never { victim = candidate }  // else evicted already
                }
                if victim < 0 {
                    while keyNeededAt[latest] < 0 { latest -= 1 }
                    victim = keyNeededAt[latest]
                    keyNeededAt[latest] = -1
                }
                cachedUntil[victim] = -1
                cached -= 1
            }
        }
        return hits
    }

    /// Three sizes per trace: a tenth, a third and two thirds of its distinct keys.
    private func sizes(distinct: Int) -> [Int] {
        [max(1, distinct / 10), distinct / 3, distinct * 2 / 3]
    }

    func testLRUAndOptimumEqualStraightforwardImplementationsOnEveryLIRSTrace() throws {
        let settings = SimulationSettings()
        for name in LIRSTraces.names {
            let keys = try LIRSTraces.keys(name)
            let (ids, distinct) = dense(keys)
            let stream = try LIRSTraces.stream(name)
            XCTAssertEqual(stream.requestCount, keys.count, name)
            XCTAssertEqual(stream.objectCount, distinct, name)
            let capacities = sizes(distinct: stream.objectCount).map { SimulationCapacity.entries($0) }
            // The sweep: the one-pass LRU (exact here: no invalidation), OPT per size.
            let swept = SimulationSweep.run(stream, policies: [.lru, .opt], capacities: capacities, settings: settings)
            XCTAssertTrue(LRUStackSimulator.isExact(for: stream, capacities: capacities, settings: settings))
            for capacity in capacities {
                let size = capacity.limit
                let lru = referenceLRU(ids, distinct: distinct, capacity: size)
                let opt = referenceOPT(ids, distinct: distinct, capacity: size)
                XCTAssertEqual(swept.first { $0.policy == .lru && $0.capacity == capacity }?.hits, lru, "\(name) lru@\(size) (one pass)")
                XCTAssertEqual(LRUSimulator.simulate(stream, capacity: capacity, settings: settings).hits, lru, "\(name) lru@\(size)")
                XCTAssertEqual(swept.first { $0.policy == .opt && $0.capacity == capacity }?.hits, opt, "\(name) opt@\(size)")
                XCTAssertLessThanOrEqual(lru, opt, "\(name)@\(size): nothing beats the optimum")
                print("exactness \(name)@\(size): lru \(lru) opt \(opt) of \(keys.count)")
            }
        }
    }
}
