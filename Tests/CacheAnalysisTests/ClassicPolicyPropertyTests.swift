import Workload
import CacheAnalysis
import CacheCore
import CacheTrace
import XCTest
import TestSupport

/// Properties the papers claim for ARC, LIRS, 2Q and S3-FIFO, checked on synthetic traces and
/// on the published LIRS traces: scan resistance, FRC_p (ARC with p pinned), LIRS's hold on a
/// loop larger than the cache, nothing beating the optimum, only compulsory misses when
/// everything fits.
final class ClassicPolicyPropertyTests: XCTestCase {
    private func record(_ code: TraceEventCode, _ oid: UInt64, length: Int = 100) -> TraceRecord {
        TraceRecord(timestamp: 1_700_000_000, encoded: TraceFormat.encode(code: code.rawValue, dataLength: length), oid: oid)
    }

    /// A stream of loads of `keys`, each with its size.
    private func stream(_ keys: [(key: UInt64, size: Int)]) -> OperationStream {
        var builder = OperationStreamBuilder()
        for (key, size) in keys {
            builder.add(record(.loadHit, key, length: size), oidBytes: UnsafeRawBufferPointer(start: nil, count: 0))
        }
        return builder.finish()
    }

    /// Requests `objects` (weight 1) and counts the hits, checking the invariants after each.
    private func hits<P: ReplayPolicy>(_ cache: inout P, _ objects: [Int32]) -> Int {
        var hits = 0
        for object in objects {
            if cache.request(object, weight: 1) { hits += 1 }
            cache.checkInvariants()
        }
        return hits
    }

    /// Cache of 100 entries; a hot set of 40 objects (0–39) is used 12 times, each time followed
    /// by 30 one-time objects (40–399; so the hot set is frequent, and for 2Q it has been through
    /// A1out); then a one-time scan of 1,000 objects (400–1,399: ten caches' worth); then the
    /// hot set again.
    private let hotSet = (0 ..< 40).map { Int32($0) }
    private var warmUp: [Int32] {
        var objects: [Int32] = []
        var next: Int32 = 40
        for _ in 0 ..< 12 {
            objects += hotSet
            for _ in 0 ..< 30 {
                objects.append(next)
                next += 1
            }
        }
        return objects
    }
    private let scan = (400 ..< 1_400).map { Int32($0) }

    /// The hot set's hits after the scan.
    private func hotHitsAfterScan<P: ReplayPolicy>(_ cache: inout P) -> Int {
        _ = hits(&cache, warmUp)
        _ = hits(&cache, scan)
        return hits(&cache, hotSet)
    }

    /// ARC, LIRS, 2Q and S3-FIFO keep a frequently used set that fits through a one-time scan
    /// ten times the cache; LRU loses all of it (so the test can tell).
    func testAScanDoesNotFlushAFrequentlyUsedSet() {
        var arc = ARCSimulator(limit: 100, objectCount: 1_400)
        XCTAssertEqual(hotHitsAfterScan(&arc), 40, "ARC")
        XCTAssertEqual(arc.target, 0, "no ghost hit, so p never grew")
        var lirs = LIRSSimulator(limit: 100, objectCount: 1_400)
        XCTAssertEqual(hotHitsAfterScan(&lirs), 40, "LIRS")
        var twoQueue = TwoQueueSimulator(limit: 100, objectCount: 1_400)
        XCTAssertEqual(hotHitsAfterScan(&twoQueue), 40, "2Q")
        var s3fifo = S3FIFOSimulator(limit: 100, objectCount: 1_400)
        XCTAssertEqual(hotHitsAfterScan(&s3fifo), 40, "S3-FIFO")

        // LRU, through the stream path: the scan flushes everything.
        let trace = warmUp + scan + hotSet
        let loads = stream(trace.map { (UInt64($0), 100) })
        let settings = SimulationSettings()
        let lru = LRUSimulator.simulate(loads, capacity: .entries(100), settings: settings).hits
        let lruBeforeHotSet = LRUSimulator.simulate(stream((warmUp + scan).map { (UInt64($0), 100) }),
                                                    capacity: .entries(100), settings: settings).hits
        XCTAssertEqual(lru - lruBeforeHotSet, 0, "LRU")
        // The simulators' replay of the same stream agrees with the direct calls.
        for policy in [SimulationPolicy.arc, .lirs, .twoQueue, .s3fifo] {
            let all = SimulationSweep.simulate(policy, loads, capacity: .entries(100), settings: settings).hits
            let before = SimulationSweep.simulate(policy, stream((warmUp + scan).map { (UInt64($0), 100) }),
                                                  capacity: .entries(100), settings: settings).hits
            XCTAssertEqual(all - before, 40, "\(policy) through the stream")
        }
    }

    /// ARC with p pinned is FRC_p (the paper's fixed-target policy): pinned at 0 it evicts from
    /// T1 first and keeps the frequent set through the scan, as adaptive ARC does here; pinned at
    /// c it evicts from T2 first, so the scan flushes the frequent set (its ids wait in B2).
    func testARCWithPPinnedIsFRCp() {
        var pinnedLow = ARCSimulator(limit: 100, objectCount: 1_400, fixedTarget: 0)
        XCTAssertEqual(hotHitsAfterScan(&pinnedLow), 40)
        var pinnedHigh = ARCSimulator(limit: 100, objectCount: 1_400, fixedTarget: 100)
        XCTAssertEqual(hotHitsAfterScan(&pinnedHigh), 0)
        XCTAssertEqual(pinnedHigh.target, 100, "pinned")
    }

    /// LIRS on the LIRS paper's `loop` trace (a loop of 1,011 blocks, 500 times): LRU never hits
    /// a loop larger than the cache, while LIRS keeps L_lirs = c − L_hirs blocks as LIR for good
    /// and hits exactly those on every pass after the first — the paper's argument for LIRS on
    /// looping patterns, to the hit.
    func testLIRSHoldsALoopLargerThanTheCache() throws {
        let keys = try LIRSTraces.keys("loop")
        let period = 1_011
        XCTAssertEqual(keys.count, 500 * period)
        XCTAssertTrue(keys.indices.allSatisfy { keys[$0] == keys[$0 % period] }, "one loop, repeated")
        let stream = try LIRSTraces.stream("loop")
        let settings = SimulationSettings()
        for entries in [100, 512, 900] {
            let lirs = LIRSSimulator.simulate(stream, capacity: .entries(entries), settings: settings)
            let lirLimit = LIRSSimulator(limit: entries, objectCount: 0).lirLimit
            XCTAssertEqual(lirLimit, entries - max(1, entries / 100))
            XCTAssertEqual(lirs.hits, lirLimit * 499, "loop@\(entries)")
            XCTAssertEqual(LRUSimulator.simulate(stream, capacity: .entries(entries), settings: settings).hits, 0)
            let opt = OptimalSimulator.simulate(stream, nextUses: OptimalSimulator.nextUses(stream, settings: settings),
                                                capacity: .entries(entries), settings: settings)
            XCTAssertLessThanOrEqual(lirs.hits, opt.hits)
            XCTAssertGreaterThan(Double(lirs.hits), 0.97 * Double(opt.hits), "LIRS is near the optimum on a loop")
        }
    }

    /// A Zipf(0.9) workload of 20,000 requests over 2,000 objects: at every size every policy
    /// hits no more than the optimum, and more than a third of what the optimum hits; the
    /// frequency-aware ones do not fall far below LRU.
    func testOnAZipfTraceNoPolicyBeatsTheOptimum() {
        var random = SplitMix64(seed: 42)
        let zipf = ZipfDistribution(count: 2_000, exponent: 0.9)
        let loads = stream((0 ..< 20_000).map { _ in (UInt64(zipf.next(using: &random)), 100) })
        let settings = SimulationSettings()
        let capacities = [50, 200, 800].map { SimulationCapacity.entries($0) }
        let results = SimulationSweep.run(loads, policies: SimulationPolicy.sweepable, capacities: capacities,
                                          settings: settings)
        for capacity in capacities {
            let opt = results.first { $0.policy == .opt && $0.capacity == capacity }!.hits
            let lru = results.first { $0.policy == .lru && $0.capacity == capacity }!.hits
            for result in results where result.capacity == capacity {
                XCTAssertLessThanOrEqual(result.hits, opt, "\(result.policy) at \(capacity)")
                XCTAssertGreaterThan(result.hits * 3, opt, "\(result.policy) at \(capacity)")
                XCTAssertGreaterThan(Double(result.hits), 0.9 * Double(lru), "\(result.policy) at \(capacity)")
            }
        }
    }

    /// With room for the whole working set, every policy misses only on first references —
    /// with unit weights and with byte weights (sizes 1 to 5,000 bytes).
    func testWithRoomForEverythingOnlyFirstReferencesMiss() {
        var random = SplitMix64(seed: 9)
        let zipf = ZipfDistribution(count: 500, exponent: 0.8)
        let sizes = (0 ..< 500).map { _ in Int(random.next() % 5_000) + 1 }
        let keys = (0 ..< 10_000).map { _ in zipf.next(using: &random) }
        let loads = stream(keys.map { (UInt64($0), sizes[$0]) })
        let distinct = Set(keys).count
        let allBytes = Set(keys).reduce(0) { $0 + sizes[$1] + CacheOptions.entryOverhead }
        for capacity in [SimulationCapacity.entries(distinct), .bytes(allBytes)] {
            for policy in [SimulationPolicy.arc, .lirs, .twoQueue, .s3fifo] {
                let result = SimulationSweep.simulate(policy, loads, capacity: capacity, settings: SimulationSettings())
                XCTAssertEqual(result.requests - result.hits, distinct, "\(policy) at \(capacity)")
            }
        }
    }

    /// Byte-weighted replays of a real ZEO trace (invalidations, stores, restarts, states of
    /// every size): each policy stays between nothing and the never-evicting cache, and runs
    /// its invariants clean after every operation of the trace.
    func testAZEOTraceReplaysCleanlyInBytes() throws {
        let (zeoApp, _, _) = try OperationStream.decode(path: Fixtures.trace("zeo-app.trace"))
        let capacity = SimulationCapacity.megabytes(0.1)
        func replay<P: ReplayPolicy>(_ type: P.Type) -> Int {
            var cache = P(limit: capacity.limit, objectCount: zeoApp.objectCount)
            var hits = 0
            for index in 0 ..< zeoApp.count {
                let object = zeoApp.objects[index]
                let weight = capacity.weight(size: zeoApp.sizes[index])
                switch zeoApp.kind(index) {
                case .request: if cache.request(object, weight: weight) { hits += 1 }
                case .store: cache.store(object, weight: weight)
                case .invalidate: cache.remove(object)
                case .restart: break
                }
                if index % 7 == 0 { cache.checkInvariants() }
            }
            cache.checkInvariants()
            return hits
        }
        let unbounded = UnboundedCacheSimulator.simulate(zeoApp, capacity: capacity, settings: SimulationSettings()).hits
        for (policy, hits) in [(SimulationPolicy.arc, replay(ARCSimulator.self)), (.lirs, replay(LIRSSimulator.self)),
                               (.twoQueue, replay(TwoQueueSimulator.self)), (.s3fifo, replay(S3FIFOSimulator.self))] {
            let swept = SimulationSweep.simulate(policy, zeoApp, capacity: capacity, settings: SimulationSettings())
            XCTAssertEqual(hits, swept.hits, "\(policy): the replay loop is these calls")
            XCTAssertGreaterThan(hits, 0, "\(policy)")
            XCTAssertLessThan(hits, unbounded, "\(policy)")
        }
    }
}
