import XCTest
@testable import CacheCore

/// The hill climber: moves both ways, and never collapses below LRU on recency-heavy traces.
final class WindowAdaptationTests: XCTestCase {
    static func key(_ i: Int) -> CacheKey { CacheKey(oid: ObjectID(UInt64(i)), tid: .zero) }

    /// An independent, straightforward LRU of `capacity` unit entries: the yardstick.
    struct ReferenceLRU {
        let capacity: Int
        var stamp: [Int: Int] = [:]
        var order: [Int: Int] = [:]  // stamp → key
        var clock = 0
        var oldest = 0
        var hits = 0

        mutating func access(_ key: Int) {
            clock += 1
            if let old = stamp[key] { hits += 1; order[old] = nil }
            stamp[key] = clock
            order[clock] = key
            while stamp.count > capacity {
                while order[oldest] == nil { oldest += 1 }
                stamp[order[oldest]!] = nil
                order[oldest] = nil
            }
        }
    }

    /// Each key is used twice, the second time capacity/50 … capacity/2 accesses later: pure
    /// recency, and never within a 1% window — the case where Caffeine's climber sees a flat
    /// hit rate of 0 and keeps shrinking the window.
    static func recencyTrace(capacity: Int, length: Int, seed: UInt64) -> [Int] {
        var generator = SplitMix64(seed: seed)
        var pending: [Int: [Int]] = [:]  // due time → keys
        var trace: [Int] = []
        var next = 0
        while trace.count < length {
            trace.append(next)
            let due = trace.count + capacity / 50 + Int(generator.next() % UInt64(capacity / 2))
            pending[due, default: []].append(next)
            next += 1
            for k in pending.removeValue(forKey: trace.count) ?? [] { trace.append(k) }
        }
        return trace
    }

    /// Replays `trace` (get, set on a miss) and returns the hit rate over its second half,
    /// once the climber has had time to settle.
    static func run(_ trace: [Int], _ p: inout WindowTinyLFU) -> Double {
        var hits = 0
        for (position, k) in trace.enumerated() {
            if p.get(Self.key(k)) != nil {
                if position >= trace.count / 2 { hits += 1 }
            } else {
                p.set(Self.key(k), ObjectState(state: [], tid: .zero), weight: 1)
            }
        }
        return Double(hits) / Double(trace.count - trace.count / 2)
    }

    /// Replays the whole `trace` (get, set on a miss) through a fresh `adaptation` policy of
    /// `capacity` entries; returns the hit rate over every request and the policy, its
    /// invariants checked.
    static func wholeTraceHitRate(_ trace: [Int], capacity: Int, _ adaptation: WindowAdaptation) -> (Double, WindowTinyLFU) {
        var policy = WindowTinyLFU(configuration: config(capacity, adaptation))
        var hits = 0
        for k in trace {
            if policy.get(key(k)) != nil { hits += 1 } else {
                policy.set(key(k), ObjectState(state: [], tid: .zero), weight: 1)
            }
        }
        policy.checkInvariants()
        return (Double(hits) / Double(trace.count), policy)
    }

    static func config(_ capacity: Int, _ adaptation: WindowAdaptation) -> WindowTinyLFU.Configuration {
        .init(maximumWeight: capacity, adaptation: adaptation, expectedEntries: capacity, seed: 7)
    }

    func testGuardedClimberFallsBackTowardsLRUOnRecencyTraces() {
        let capacity = 1000
        let trace = Self.recencyTrace(capacity: capacity, length: 400_000, seed: 3)
        var lru = ReferenceLRU(capacity: capacity)
        for k in trace[..<(trace.count / 2)] { lru.access(k) }
        lru.hits = 0
        for k in trace[(trace.count / 2)...] { lru.access(k) }
        let lruRate = Double(lru.hits) / Double(trace.count - trace.count / 2)

        var fixed = WindowTinyLFU(configuration: Self.config(capacity, .fixed))
        let fixedRate = Self.run(trace, &fixed)
        var guarded = WindowTinyLFU(configuration: Self.config(capacity, .guardedHillClimbing))
        let guardedRate = Self.run(trace, &guarded)
        guarded.checkInvariants()
        var caffeine = WindowTinyLFU(configuration: Self.config(capacity, .hillClimbing))
        let caffeineRate = Self.run(trace, &caffeine)

        print("recency trace: LRU \(lruRate), fixed 1% \(fixedRate), guarded \(guardedRate), Caffeine climber \(caffeineRate), window \(guarded.windowMaximum)")
        XCTAssertGreaterThan(lruRate, 0.3)
        XCTAssertLessThan(fixedRate, lruRate - 0.2, "a 1% window alone is far below LRU here")
        XCTAssertGreaterThan(guardedRate, lruRate - 0.03, "guarded \(guardedRate) vs LRU \(lruRate)")
        XCTAssertGreaterThan(guarded.windowMaximum, capacity / 2, "the window grew")
    }

    func testWindowMovesBothWays() {
        let capacity = 1000
        var p = WindowTinyLFU(configuration: Self.config(capacity, .guardedHillClimbing))
        // Phase 1: recency — the window grows.
        _ = Self.run(Self.recencyTrace(capacity: capacity, length: 300_000, seed: 5), &p)
        let grown = p.windowMaximum
        XCTAssertGreaterThan(grown, 100)
        // Phase 2: a loop over 1.5× the cache — LRU gets nothing, frequency keeps a part: it shrinks.
        var loop: [Int] = []
        for _ in 0..<200 { loop += (10_000_000..<10_001_500) }
        _ = Self.run(loop, &p)
        XCTAssertLessThan(p.windowMaximum, grown / 2, "grew to \(grown), now \(p.windowMaximum)")
        p.checkInvariants()
    }

    /// The mechanism behind the guard: a sample with no hits at all gives the plain climber no
    /// direction, so it keeps shrinking (its first move) — it can sit at a 1-entry window for
    /// ever on a trace whose reuse distance exceeds the window. The guarded climber grows.
    func testAFlatHitlessSampleGrowsTheGuardedWindowButNotCaffeines() throws {
        var caffeine = WindowClimber(mode: .hillClimbing, maximum: 1000)
        var guarded = WindowClimber(mode: .guardedHillClimbing, maximum: 1000)
        for _ in 0..<3 {
            for _ in 0..<10_000 { caffeine.recordMiss(); guarded.recordMiss() }
            XCTAssertLessThan(try XCTUnwrap(caffeine.determineAdjustment(sampleSize: 10_000, windowMaximum: 10)), 0)
            XCTAssertGreaterThan(try XCTUnwrap(guarded.determineAdjustment(sampleSize: 10_000, windowMaximum: 10)), 0)
        }
    }

    func testDensityDecidesFlatSamples() throws {
        var climber = WindowClimber(mode: .guardedHillClimbing, maximum: 1000)
        climber.previousHitRate = 0.5
        // 50% hit rate again (flat); the window (100 units) earned 400 hits, main (900) 100.
        for _ in 0..<400 { climber.recordHit(inWindow: true) }
        for _ in 0..<100 { climber.recordHit(inWindow: false) }
        for _ in 0..<500 { climber.recordMiss() }
        XCTAssertGreaterThan(try XCTUnwrap(climber.determineAdjustment(sampleSize: 1000, windowMaximum: 100)), 0,
                             "the denser window grows")
        for _ in 0..<10 { climber.recordHit(inWindow: true) }
        for _ in 0..<490 { climber.recordHit(inWindow: false) }
        for _ in 0..<500 { climber.recordMiss() }
        XCTAssertLessThan(try XCTUnwrap(climber.determineAdjustment(sampleSize: 1000, windowMaximum: 100)), 0,
                          "the denser main space wins budget back")
    }

    func testFixedWindowNeverMoves() {
        var p = WindowTinyLFU(configuration: Self.config(1000, .fixed))
        _ = Self.run(Self.recencyTrace(capacity: 1000, length: 100_000, seed: 1), &p)
        XCTAssertEqual(p.windowMaximum, 10)
    }
}
