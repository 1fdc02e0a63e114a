import CacheCore
import CacheTrace
import Foundation
import SQLiteStorage
import XCTest
import TestSupport
@testable import CacheViews

/// Invalidations in a trace tell the truth: one record per change per process, whichever view
/// learns of it first and however many views there are, coded `1c` when the shared cache held
/// a state of the object and `10` when it did not (ZEO's `ClientCache.invalidate`).
final class InvalidationTracingTests: ScriptedViewTestCase {
    var scratch: ScratchFiles!
    var tracer: TraceWriter!

    override func setUpWithError() throws {
        try super.setUpWithError()
        scratch = try ScratchFiles(label: "inv")
        tracer = try TraceWriter(path: scratch.directory.appendingPathComponent("views.trace").path)
    }

    override func tearDownWithError() throws {
        try? tracer.close()
        scratch?.remove()
    }

    func view(limit: Int = 100) -> StorageView {
        StorageView(cache: cache, coordinator: coordinator, deltaSizeLimit: limit, tracer: tracer)
    }


    /// Two views that have both polled the first transaction (TID 10, which writes object 1).
    func twoViewsAfterTheFirstCommit() throws -> (StorageView, StorageView) {
        source.commit(10, [1: "a"])
        let views = (view(), view())
        try views.0.poll(source, to: 10)
        try views.1.poll(source, to: 10)
        return views
    }

    /// An invalidation record: object, invalidating TID and code (`0x10` or `0x1c`).
    struct Invalidation: Hashable, CustomStringConvertible {
        var oid: UInt64
        var tid: UInt64
        var code: UInt8
        var description: String { "(\(oid), \(tid), \(String(code, radix: 16)))" }
    }

    func inv(_ oid: UInt64, _ tid: UInt64, _ code: TraceEventCode) -> Invalidation {
        Invalidation(oid: oid, tid: tid, code: code.rawValue)
    }

    /// Closes the trace and returns its records' codes and its invalidations, in order.
    func recorded() throws -> (codes: [UInt8], invalidations: [Invalidation]) {
        try tracer.close()
        let reader = try TraceReader(path: tracer.path)
        var codes: [UInt8] = []
        var invalidations: [Invalidation] = []
        try reader.forEachRecord { record, _ in
            codes.append(record.code.rawValue)
            if record.code.rawValue & 0x70 == 0x10 {
                invalidations.append(Invalidation(oid: record.oid, tid: record.tid, code: record.code.rawValue))
            }
        }
        return (codes, invalidations)
    }

    /// `invalidations` in TID order, then OID order (a scripted transaction lists its objects
    /// in no particular order).
    func ordered(_ invalidations: [Invalidation]) -> [Invalidation] {
        invalidations.sorted { ($0.tid, $0.oid) < ($1.tid, $1.oid) }
    }

    /// Loads `o` through `v` as of the view's snapshot.
    func load(_ v: StorageView, _ o: UInt64) throws {
        source.snapshot = v.snapshotTID!
        _ = try v.load(oid(o), from: source)
    }

    // MARK: - Several views, one process

    func testThreeViewsPollingTheSameChangesRecordEachOnceCodedByWhatTheCacheHeld() throws {
        source.commit(10, [1: "a", 2: "b", 3: "c", 4: "d"])
        let (a, b, c) = (view(), view(), view())
        for v in [a, b, c] { try v.poll(source, to: 10) }
        try load(a, 1)  // cached under (1, cp0 = 10)
        try load(b, 3)
        source.commit(20, [1: "a2", 2: "b2"])
        // b learns of 20 first, then a and c: only b records.
        try b.poll(source, to: 20)
        try a.poll(source, to: 20)
        try c.poll(source, to: 20)
        source.commit(30, [3: "c3", 4: "d3"])
        source.commit(40, [1: "a4"])
        try load(b, 1)  // b (at 20) caches the state of 20 under its exact TID
        // c jumps to 40, a and b follow through 30: 30 and 40 recorded by c, once.
        try c.poll(source, to: 40)
        try a.poll(source, to: 30)
        try b.poll(source, to: 30)
        try a.poll(source, to: 40)
        try b.poll(source, to: 40)

        let invalidations = try recorded().invalidations
        XCTAssertEqual(ordered(invalidations), [
            inv(1, 20, .invalidateHitSavingNonCurrent),  // held: (1, 10)
            inv(2, 20, .invalidateMiss),                 // never loaded
            inv(3, 30, .invalidateHitSavingNonCurrent),  // held: (3, 10)
            inv(4, 30, .invalidateMiss),
            inv(1, 40, .invalidateHitSavingNonCurrent),  // held: (1, 10) (and (1, 20))
        ])
        XCTAssertEqual(Set(invalidations.map { [$0.oid, $0.tid] }).count, invalidations.count, "no change twice")
        XCTAssertEqual(coordinator.invalidationLedger.watermark, tid(40))
    }

    /// Coding an invalidation asks the cache what it holds without counting an access: the
    /// cache's hit rate is the same with tracing on as with it off.
    func testCodingAnInvalidationIsNotACacheAccess() throws {
        let (a, b) = try twoViewsAfterTheFirstCommit()
        try load(a, 1)  // cached under (1, cp0 = 10)
        let before = cache.statistics
        source.commit(20, [1: "a2", 2: "b2"])
        try b.poll(source, to: 20)
        try a.poll(source, to: 20)
        XCTAssertEqual(ordered(try recorded().invalidations),
                       [inv(1, 20, .invalidateHitSavingNonCurrent), inv(2, 20, .invalidateMiss)])
        let after = cache.statistics
        XCTAssertEqual(after.hits, before.hits)
        XCTAssertEqual(after.misses, before.misses)
    }

    func testAViewBehindTheOthersRecordsOnlyWhatNobodyRecordedYet() throws {
        let (a, b) = try twoViewsAfterTheFirstCommit()
        source.commit(20, [2: "b"])
        source.commit(30, [3: "c"])
        try b.poll(source, to: 20)
        // a's interval (10, 30] overlaps b's (10, 20]: a records 30 only.
        try a.poll(source, to: 30)
        try b.poll(source, to: 30)
        let invalidations = try recorded().invalidations
        XCTAssertEqual(invalidations.map { [$0.oid, $0.tid] }, [[2, 20], [3, 30]])
    }

    func testAnObjectEvictedOrNeverCachedIsAnInvalidationMiss() throws {
        source.commit(10, [1: "a", 2: "b"])
        let a = view()
        try a.poll(source, to: 10)
        try load(a, 1)
        try load(a, 2)
        XCTAssertTrue(cache.remove(CacheKey(oid: oid(2), tid: tid(10))), "evicted, as far as the view can tell")
        source.commit(20, [1: "a2", 2: "b2"])
        try a.poll(source, to: 20)
        XCTAssertEqual(ordered(try recorded().invalidations),
                       [inv(1, 20, .invalidateHitSavingNonCurrent), inv(2, 20, .invalidateMiss)])
    }

    func testAStateUnderTheExactTIDOfAnEarlierChangeCountsAsHeld() throws {
        source.commit(10, [1: "a"])
        let a = view()
        try a.poll(source, to: 10)
        source.commit(20, [1: "a2"])
        try a.poll(source, to: 20)   // 10 → 20: (1, 20) in deltaAfter0; nothing cached: a miss
        try load(a, 1)               // cached under (1, 20)
        source.commit(30, [1: "a3"])
        try a.poll(source, to: 30)
        XCTAssertEqual(try recorded().invalidations,
                       [inv(1, 20, .invalidateMiss), inv(1, 30, .invalidateHitSavingNonCurrent)])
    }

    func testAStateUnderTheOlderCheckpointCountsAsHeld() throws {
        source.commit(10, [1: "a", 5: "e"])
        let a = view(limit: 1)
        try a.poll(source, to: 10)
        try load(a, 1)                // (1, 10)
        source.commit(20, [5: "e2"])
        try a.poll(source, to: 20)    // deltaAfter0 reaches the limit: checkpoints shift to (20, 10)
        XCTAssertEqual(a.checkpoints, Checkpoints(cp0: tid(20), cp1: tid(10)))
        source.commit(30, [1: "a3"])
        try a.poll(source, to: 30)
        XCTAssertEqual(try recorded().invalidations,
                       [inv(5, 20, .invalidateMiss), inv(1, 30, .invalidateHitSavingNonCurrent)])
    }

    // MARK: - Own commits

    func testAnOwnCommitIsRecordedAtCommitAsZEOsTpcFinishDoesAndNotAgainAtPolls() throws {
        let (writer, reader) = try twoViewsAfterTheFirstCommit()
        try load(writer, 1)
        source.commit(20, [1: "a2", 7: "new"])
        writer.afterCommit(tid: tid(20), states: [(oid(1), Array("a2".utf8)), (oid(7), Array("new".utf8))])
        try reader.poll(source, to: 20)
        try writer.poll(source, to: 20)
        let (codes, invalidations) = try recorded()
        XCTAssertEqual(invalidations, [inv(1, 20, .invalidateHitSavingNonCurrent), inv(7, 20, .invalidateMiss)])
        // Per object: the invalidation, then the store (ZEO: `10`/`1c` then `52`).
        XCTAssertEqual(codes.suffix(4), [0x1C, 0x52, 0x10, 0x52])
        XCTAssertTrue(coordinator.invalidationLedger.committedAhead.isEmpty, "passed by the polls")
    }

    func testAnOwnCommitAnotherViewPolledFirstIsNotRecordedTwice() throws {
        let (writer, reader) = try twoViewsAfterTheFirstCommit()
        source.commit(20, [1: "a2"])
        try reader.poll(source, to: 20)    // between the storage's commit and the view's bookkeeping
        writer.afterCommit(tid: tid(20), states: [(oid(1), Array("a2".utf8))])
        try writer.poll(source, to: 20)
        let (codes, invalidations) = try recorded()
        XCTAssertEqual(invalidations.map { [$0.oid, $0.tid] }, [[1, 20]])
        XCTAssertEqual(codes.filter { $0 == 0x52 }.count, 1, "the store is still traced")
    }

    func testOwnCommitsAheadOfOtherTransactionsWaitForTheWatermark() throws {
        let (writer, reader) = try twoViewsAfterTheFirstCommit()
        source.commit(20, [2: "foreign"])      // another process
        source.commit(30, [3: "own"])
        writer.afterCommit(tid: tid(30), states: [(oid(3), Array("own".utf8))])
        XCTAssertEqual(coordinator.invalidationLedger.committedAhead, [tid(30)])
        try reader.poll(source, to: 20)        // records 20; 30 still ahead
        XCTAssertEqual(coordinator.invalidationLedger.committedAhead, [tid(30)])
        try reader.poll(source, to: 30)        // skips 30
        try writer.poll(source, to: 30)
        XCTAssertEqual(try recorded().invalidations.map { [$0.oid, $0.tid] }, [[3, 30], [2, 20]])
        XCTAssertTrue(coordinator.invalidationLedger.committedAhead.isEmpty)
    }

    // MARK: - Rebuilds

    func testAViewThatSkipsAheadAfterAResetStillRecordsWhatItSkippedOnce() throws {
        source.commit(10, [1: "a"])
        let a = view()
        try a.poll(source, to: 10)
        source.commit(20, [5: "e"])
        coordinator.reset()                    // as after an inconsistency: no checkpoints
        let fresh = view()
        try fresh.poll(source, to: 20)         // initializes (20, 20), lists (10, 20] for the trace
        XCTAssertEqual(fresh.checkpoints, .at(tid(20)))
        XCTAssertEqual(fresh.deltaAfter0, [:])
        try a.poll(source, to: 20)             // learns (5, 20) too: already recorded
        XCTAssertEqual(try recorded().invalidations, [inv(5, 20, .invalidateMiss)])
    }

    func testARebuildRecordsTheChangesSinceTheCheckpointsOfARestoredCache() throws {
        source.commit(10, [1: "a", 2: "b"])
        // A cache file's checkpoints (10, 10), with a state of object 1 filed under them.
        coordinator = CheckpointCoordinator(epoch: CheckpointEpoch(checkpoints: .at(tid(10)), deltaAfter1: [:]))
        cache.set(CacheKey(oid: oid(1), tid: tid(10)), ObjectState(state: Array("a".utf8), tid: tid(10)))
        source.commit(20, [1: "a2", 2: "b2"])
        let a = view(), b = view()
        try a.poll(source, to: 20)
        try b.poll(source, to: 20)
        XCTAssertEqual(ordered(try recorded().invalidations),
                       [inv(1, 20, .invalidateHitSavingNonCurrent), inv(2, 20, .invalidateMiss)])
    }

    func testARestoredCacheDoesNotTraceTheChangesItsRestoreAlreadyFiltered() throws {
        source.commit(10, [1: "a", 2: "b"])
        source.commit(20, [1: "a2"])          // known when the files were read (through 20)
        coordinator = CheckpointCoordinator(epoch: CheckpointEpoch(checkpoints: .at(tid(10)), deltaAfter1: [:]),
                                            invalidationsRecordedThrough: tid(20))
        source.commit(30, [2: "b3"])          // after the restore
        let a = view()
        try a.poll(source, to: 30)
        XCTAssertEqual(a.deltaAfter0, [oid(1): tid(20), oid(2): tid(30)], "the delta map still has both")
        XCTAssertEqual(try recorded().invalidations, [inv(2, 30, .invalidateMiss)])
    }

    func testWithoutATracerViewsClaimNothingAndQueryAsBefore() throws {
        source.commit(10, [1: "a"])
        let a = StorageView(cache: cache, coordinator: coordinator)
        try a.poll(source, to: 10)
        source.commit(20, [1: "b"])
        coordinator.reset()
        let fresh = StorageView(cache: cache, coordinator: coordinator)
        try fresh.poll(source, to: 20)
        try a.poll(source, to: 20)
        XCTAssertNil(coordinator.invalidationLedger.watermark)
        XCTAssertEqual(source.changeQueries, 0, "fresh checkpoints at the snapshot: nothing to list")
    }

    // MARK: - The ledger

    func testTheLedgerRecordsEachChangeOfOverlappingIntervalsOnce() {
        var ledger = InvalidationLedger()
        let c = { (o: UInt64, t: UInt64) in ObjectChange(oid: ObjectID(o), tid: TransactionID(t)) }
        XCTAssertEqual(ledger.claim([c(1, 5)], after: tid(0), through: tid(10)), [c(1, 5)], "the first claim takes all")
        XCTAssertEqual(ledger.claim([c(2, 12), c(3, 20)], after: tid(10), through: tid(20)), [c(2, 12), c(3, 20)])
        XCTAssertEqual(ledger.claim([c(2, 12), c(3, 20), c(4, 25)], after: tid(10), through: tid(25)), [c(4, 25)])
        XCTAssertEqual(ledger.claim([], after: tid(25), through: tid(20)), [], "a lagging view moves nothing back")
        XCTAssertEqual(ledger.watermark, tid(25))
        XCTAssertTrue(ledger.claimCommit(tid(40)))
        XCTAssertFalse(ledger.claimCommit(tid(40)), "one commit, one record")
        XCTAssertFalse(ledger.claimCommit(tid(25)), "a poll already recorded it")
        XCTAssertEqual(ledger.claim([c(5, 30), c(6, 40)], after: tid(25), through: tid(35)), [c(5, 30)])
        XCTAssertEqual(ledger.committedAhead, [tid(40)])
        XCTAssertEqual(ledger.claim([c(5, 30), c(6, 40), c(7, 41)], after: tid(25), through: tid(41)), [c(7, 41)])
        XCTAssertEqual(ledger.committedAhead, [], "bounded: passed commits are forgotten")
        XCTAssertEqual(ledger.watermark, tid(41))
    }
}
