import CacheCore
import SQLiteStorage
import XCTest
@testable import CacheViews

/// A randomized model check: views poll at random moments over a random history, with a tiny
/// delta limit (many shifts) and a tiny cache (many evictions); every load must equal the
/// history's answer at that view's snapshot.
final class StorageViewModelTests: XCTestCase {
    func testRandomHistoriesNeverServeAWrongState() throws {
        for seed in 1...6 as ClosedRange<UInt64> {
            var generator = SplitMix64(seed: seed)
            var options = CacheOptions()
            options.cacheLocalMB = 0.02  // ~100 entries: constant eviction
            options.shardCount = 2
            options.seed = seed
            let cache = SharedStateCache(options: options)
            let coordinator = CheckpointCoordinator()
            let history = ScriptedSource()
            var lastTID: UInt64 = 100
            history.commit(lastTID, Dictionary(uniqueKeysWithValues: (0..<60).map { ($0, "initial \($0)") }))
            // Each view has its own source (its own snapshot) over the shared history.
            let views = (0..<6).map { _ in StorageView(cache: cache, coordinator: coordinator, deltaSizeLimit: 5) }
            let sources = views.map { _ in ScriptedSource() }
            var checked = 0
            for _ in 0..<3000 {
                let which = Int(generator.next() % UInt64(views.count))
                let view = views[which], source = sources[which]
                source.history = history.history
                switch generator.next() % 10 {
                case 0:  // someone commits 1–4 objects
                    lastTID += 1 + generator.next() % 3
                    var writes: [UInt64: String] = [:]
                    for _ in 0..<(1 + generator.next() % 4) { writes[generator.next() % 60] = "v\(lastTID)" }
                    history.commit(lastTID, writes)
                    if generator.next() % 2 == 0 {  // written by this view: cached at commit
                        view.afterCommit(tid: TransactionID(lastTID),
                                         states: writes.map { (ObjectID($0.key), Array($0.value.utf8)) })
                    }
                case 1, 2:
                    try view.poll(source, to: lastTID)
                case 3:
                    guard let snapshot = view.snapshotTID else { continue }
                    let oids = (0..<5).map { _ in ObjectID(generator.next() % 70) }
                    source.snapshot = snapshot
                    let many = try view.load(many: oids, from: source)
                    for oid in Set(oids) {
                        let truth = history.truth(oid, at: snapshot)
                        XCTAssertEqual(many[oid]?.state, truth?.state, "seed \(seed) \(oid) at \(snapshot)")
                        XCTAssertEqual(many[oid]?.tid, truth?.tid)
                        checked += 1
                    }
                default:
                    guard let snapshot = view.snapshotTID else { continue }
                    let oid = ObjectID(generator.next() % 70)
                    source.snapshot = snapshot
                    let loaded = try view.load(oid, from: source)
                    let truth = history.truth(oid, at: snapshot)
                    XCTAssertEqual(loaded?.state, truth?.state, "seed \(seed) \(oid) at \(snapshot)")
                    XCTAssertEqual(loaded?.tid, truth?.tid)
                    checked += 1
                }
                view.checkInvariants()
            }
            XCTAssertGreaterThan(coordinator.shiftCount, 10, "the test must exercise shifts")
            XCTAssertGreaterThan(cache.statistics.evictions, 100, "and evictions")
            XCTAssertGreaterThan(cache.statistics.hits, 100, "and hits")
            XCTAssertGreaterThan(checked, 1000)
            cache.checkInvariants()
        }
    }
}
