import CacheCore
import SQLiteStorage
import XCTest
@testable import CacheViews

/// The behaviours of RelStorage 2's `StorageCacheTests` (reference §C2.1), adapted to
/// process-owned checkpoints: load order, copy-forward, poll merging, gaps, shifts and the
/// future-checkpoint rule.
final class StorageViewTests: ScriptedViewTestCase {
    func view(limit: Int = 100) -> StorageView {
        StorageView(cache: cache, coordinator: coordinator, deltaSizeLimit: limit)
    }

    /// A view that polled a first commit at 50 (checkpoints there), then object 2's change at
    /// 55: `deltaAfter0` holds it, and nothing is cached yet.
    func viewThatPolledAChange() throws -> StorageView {
        source.commit(50, [9: "base"])
        let v = view()
        try v.poll(source, to: 50)
        source.commit(55, [2: "abc"])
        try v.poll(source, to: 55)
        return v
    }

    func put(_ o: UInt64, _ keyTID: UInt64, actual: UInt64, _ state: String) {
        cache.set(key(o, keyTID), ObjectState(state: Array(state.utf8), tid: tid(actual)))
    }

    func testLoadBeforeTheFirstPollBypassesTheCache() throws {
        source.commit(10, [2: "abc"])
        source.snapshot = tid(10)
        let v = view()
        XCTAssertEqual(try v.load(oid(2), from: source)?.tid, tid(10))
        XCTAssertEqual(cache.statistics.entries, 0)
        XCTAssertNil(v.checkpoints)
    }

    func testFirstPollSetsCheckpointsAtTheSnapshot() throws {
        source.commit(50, [1: "x"])
        let v = view()
        try v.poll(source, to: 50)
        XCTAssertEqual(v.checkpoints, Checkpoints.at(tid(50)))
        XCTAssertEqual(v.deltaAfter0, [:])
        XCTAssertEqual(coordinator.current?.checkpoints, Checkpoints.at(tid(50)))
    }

    func testDatabaseMissIsStoredAtCp0AndHitsNextTime() throws {
        source.commit(45, [2: "abc"])
        source.commit(50, [3: "zzz"])
        let v = view()
        try v.poll(source, to: 50)
        let loaded = try v.load(oid(2), from: source)
        XCTAssertEqual(loaded?.state, Array("abc".utf8))
        XCTAssertEqual(loaded?.tid, tid(45))
        XCTAssertEqual(cache.get(key(2, 50))?.tid, tid(45), "stored under cp0 with the real TID inside")
        XCTAssertEqual(try v.load(oid(2), from: source)?.tid, tid(45))
        XCTAssertEqual(source.loads, 1)
        XCTAssertEqual(v.statistics.hits, 1)
        XCTAssertEqual(v.statistics.misses, 1)
    }

    func testCheckpoint0Hit() throws {
        source.commit(50, [9: "other"])
        let v = view()
        try v.poll(source, to: 50)
        put(2, 50, actual: 45, "xyz")
        let loaded = try v.load(oid(2), from: source)
        XCTAssertEqual(loaded?.state, Array("xyz".utf8))
        XCTAssertEqual(loaded?.tid, tid(45))
        XCTAssertEqual(source.loads, 0)
    }

    func testDeltaAfter0HitAndMiss() throws {
        let v = try viewThatPolledAChange()
        XCTAssertEqual(v.deltaAfter0, [oid(2): tid(55)])
        // miss: read from the storage, cached under the exact TID
        XCTAssertEqual(try v.load(oid(2), from: source)?.tid, tid(55))
        XCTAssertEqual(cache.get(key(2, 55))?.state, Array("abc".utf8))
        // hit
        XCTAssertEqual(try v.load(oid(2), from: source)?.state, Array("abc".utf8))
        XCTAssertEqual(source.loads, 1)
    }

    /// A poll that learns of a change drops the revision the view would have used until then
    /// (under `cp0`, or an older exact TID): no view past the change can use it, and it would
    /// hold cache space (and, as its key never comes up again, never be hit). Other objects'
    /// entries stay; a view still before the change that needs it again gets a miss, not a
    /// wrong state.
    func testAPollDropsTheRevisionsItsChangesSupersede() throws {
        source.commit(50, [2: "v1", 3: "kept"])
        let v = view(), lagging = view()
        try v.poll(source, to: 50)
        try lagging.poll(source, to: 50)
        _ = try v.load(oid(2), from: source)
        _ = try v.load(oid(3), from: source)
        XCTAssertNotNil(cache.get(key(2, 50)))

        source.commit(55, [2: "v2"])
        try v.poll(source, to: 55)
        XCTAssertFalse(cache.contains(key(2, 50)), "the cp0 revision is superseded")
        XCTAssertTrue(cache.contains(key(3, 50)), "unchanged objects keep theirs")
        _ = try v.load(oid(2), from: source)
        XCTAssertTrue(cache.contains(key(2, 55)))

        source.commit(60, [2: "v3"])
        try v.poll(source, to: 60)
        XCTAssertFalse(cache.contains(key(2, 55)), "an exact revision is superseded in turn")

        // The lagging view, still at 50, reloads the revision it needs from its snapshot.
        source.snapshot = tid(50)
        let loadsBefore = source.loads
        XCTAssertEqual(try lagging.load(oid(2), from: source)?.state, Array("v1".utf8))
        XCTAssertEqual(source.loads, loadsBefore + 1)
    }

    func testDeltaAfter0InconsistentEntryClearsTheCacheAndRecoversAfterPoll() throws {
        let v = try viewThatPolledAChange()
        put(2, 55, actual: 54, "wrong")
        put(7, 50, actual: 20, "innocent")
        XCTAssertThrowsError(try v.load(oid(2), from: source)) { error in
            guard case CacheViewError.inconsistent(let o, let expected, let found, _) = error else {
                return XCTFail("\(error)")
            }
            XCTAssertEqual(o, self.oid(2))
            XCTAssertEqual(expected, self.tid(55))
            XCTAssertEqual(found, self.tid(54))
        }
        XCTAssertEqual(cache.statistics.entries, 0, "the shared cache was cleared")
        v.checkInvariants()
        XCTAssertEqual(v.snapshotTID, tid(55), "the view keeps its snapshot")
        XCTAssertNil(v.checkpoints, "but leaves the checkpoints until the next poll")
        XCTAssertEqual(try v.load(oid(2), from: source)?.state, Array("abc".utf8), "meanwhile loads go to the storage")
        try v.poll(source, to: 55)
        v.checkInvariants()
        XCTAssertEqual(try v.load(oid(2), from: source)?.state, Array("abc".utf8), "usable after the next poll")
    }

    func testDeltaAfter0DatabaseDisagreementIsAnInconsistency() throws {
        let v = try viewThatPolledAChange()
        source.forcedTID[oid(2)] = tid(53)
        XCTAssertThrowsError(try v.load(oid(2), from: source)) { error in
            XCTAssertEqual(error as? CacheViewError,
                           .inconsistent(oid: self.oid(2), expected: self.tid(55), found: self.tid(53), checkpoints: .at(self.tid(50))))
        }
    }

    func testStateFromTheFutureIsNeverServed() throws {
        source.commit(50, [2: "abc"])
        let v = view()
        try v.poll(source, to: 50)
        source.forcedTID[oid(2)] = tid(56)
        XCTAssertThrowsError(try v.load(oid(2), from: source)) { error in
            XCTAssertEqual(error as? CacheViewError, .stateFromTheFuture(oid: self.oid(2), tid: self.tid(56), snapshot: self.tid(50)))
        }
        XCTAssertNil(cache.get(key(2, 50)), "nothing cached")
    }

    func testDeltaAfter1HitIsCopiedForwardToCp0() throws {
        coordinator = CheckpointCoordinator(epoch: CheckpointEpoch(
            checkpoints: Checkpoints(cp0: tid(50), cp1: tid(40)), deltaAfter1: [oid(2): tid(45)]))
        source.commit(45, [2: "abc"])
        source.commit(60, [9: "z"])
        let v = view()
        try v.poll(source, to: 60)
        put(2, 45, actual: 45, "abc")
        XCTAssertEqual(try v.load(oid(2), from: source)?.tid, tid(45))
        XCTAssertEqual(cache.get(key(2, 50))?.state, Array("abc".utf8), "copied forward to cp0")
        XCTAssertEqual(v.statistics.copiesForward, 1)
        XCTAssertEqual(source.loads, 0)
    }

    func testCheckpoint1HitIsCopiedForwardAndMissGoesToCp0() throws {
        coordinator = CheckpointCoordinator(epoch: CheckpointEpoch(
            checkpoints: Checkpoints(cp0: tid(50), cp1: tid(40)), deltaAfter1: [:]))
        source.commit(30, [2: "abc", 3: "def"])
        source.commit(50, [9: "z"])
        let v = view()
        try v.poll(source, to: 50)
        put(2, 40, actual: 30, "abc")
        XCTAssertEqual(try v.load(oid(2), from: source)?.state, Array("abc".utf8))
        XCTAssertEqual(cache.get(key(2, 50))?.tid, tid(30))
        XCTAssertEqual(try v.load(oid(3), from: source)?.state, Array("def".utf8))
        XCTAssertEqual(cache.get(key(3, 50))?.tid, tid(30), "a storage load goes to cp0, not cp1")
        XCTAssertNil(cache.get(key(3, 40)))
    }

    func testPollMergingKeepsTheLatestTID() throws {
        source.commit(40, [9: "base"])
        let v = view()
        try v.poll(source, to: 40)
        source.commit(42, [2: "a", 3: "b"])
        source.commit(45, [2: "c"])
        try v.poll(source, to: 45)
        XCTAssertEqual(v.deltaAfter0, [oid(2): tid(45), oid(3): tid(42)])
        XCTAssertEqual(source.changeQueries, 0, "incremental polls make no query")
    }

    func testGapRebuildsFromTheStorage() throws {
        source.commit(40, [1: "a"])
        let v = view()
        try v.poll(source, to: 40)
        source.commit(42, [3: "b"])
        source.commit(45, [2: "c"])
        // A poll whose previous TID is not the view's snapshot (a gap): rebuild.
        source.snapshot = tid(45)
        try v.afterPoll(previousTID: tid(43), newTID: tid(45), changes: [ObjectChange(oid: oid(2), tid: tid(45))], source: source)
        XCTAssertEqual(v.deltaAfter0, [oid(2): tid(45), oid(3): tid(42)])
        XCTAssertEqual(source.changeQueries, 1)
        XCTAssertEqual(v.statistics.rebuilds, 2)
    }

    func testShiftAtTheLimitReusesDeltaAfter0AsTheSharedDeltaAfter1() throws {
        source.commit(40, [9: "base"])
        let v = view(limit: 2)
        try v.poll(source, to: 40)
        source.commit(300, [2: "a"])
        source.commit(314, [3: "b"])
        try v.poll(source, to: 314)
        XCTAssertEqual(v.checkpoints, Checkpoints(cp0: tid(314), cp1: tid(40)))
        XCTAssertEqual(coordinator.current?.deltaAfter1, [oid(2): tid(300), oid(3): tid(314)])
        XCTAssertEqual(v.deltaAfter0, [:])
        XCTAssertEqual(coordinator.shiftCount, 1)
        XCTAssertEqual(source.changeQueries, 0, "a shift costs no query")
        // Loads stay exact after the shift.
        XCTAssertEqual(try v.load(oid(2), from: source)?.tid, tid(300))
        XCTAssertEqual(try v.load(oid(9), from: source)?.tid, tid(40))
    }

    func testOversizeShiftRestartsAtTheSnapshot() throws {
        source.commit(40, [9: "base"])
        let v = view(limit: 2)
        try v.poll(source, to: 40)
        source.commit(50, [1: "a", 2: "b", 3: "c", 4: "d"])
        try v.poll(source, to: 50)
        XCTAssertEqual(v.checkpoints, Checkpoints.at(tid(50)))
        XCTAssertEqual(coordinator.current?.deltaAfter1, [:])
    }

    /// After a shift, every other view adopts the process's new checkpoints at its next poll,
    /// without a query of its own.
    func testManyViewsAdoptAShiftWithoutQueries() throws {
        source.commit(40, Dictionary(uniqueKeysWithValues: (1...100).map { ($0, "v0-\($0)") }))
        let views = (0..<50).map { _ in view(limit: 10) }
        for v in views { try v.poll(source, to: 40) }
        let firstPollQueries = source.changeQueries
        XCTAssertEqual(firstPollQueries, 0, "(40, 40): nothing after cp0 to list")
        for v in views { for o in 1...100 { _ = try v.load(oid(UInt64(o)), from: source) } }
        let loadsBefore = source.loads
        source.commit(50, Dictionary(uniqueKeysWithValues: (1...12).map { ($0, "v1-\($0)") }))
        for v in views { try v.poll(source, to: 50) }
        XCTAssertEqual(coordinator.shiftCount, 1)
        XCTAssertEqual(source.changeQueries, firstPollQueries, "50 views adopted the shift with no listChanges query")
        for v in views {
            XCTAssertEqual(v.checkpoints, Checkpoints(cp0: tid(50), cp1: tid(40)))
            XCTAssertTrue(v.epoch === coordinator.current, "one shared deltaAfter1")
        }
        // Unchanged objects still hit (via cp1, copied forward once); changed ones load once.
        for v in views {
            for o in 1...100 {
                let loaded = try v.load(oid(UInt64(o)), from: source)
                XCTAssertEqual(loaded?.tid, tid(o <= 12 ? 50 : 40))
            }
        }
        XCTAssertEqual(source.loads - loadsBefore, 12, "only the 12 changed objects came from the storage")
    }

    /// RelStorage's future-checkpoint rule: checkpoints newer than a view's snapshot are not
    /// used; the view works with its own until it can adopt them.
    func testCheckpointsFromTheFutureAreNotAdoptedYet() throws {
        source.commit(40, [2: "a"])
        let early = view(limit: 2)
        let late = view(limit: 2)
        try early.poll(source, to: 40)
        try late.poll(source, to: 40)
        source.commit(45, [2: "b"])
        source.commit(90, [3: "c"])
        try late.poll(source, to: 90)                      // shifts the process to (90, 40)
        XCTAssertEqual(coordinator.current?.checkpoints, Checkpoints(cp0: tid(90), cp1: tid(40)))
        try early.poll(source, to: 45)                     // its snapshot is older than cp0 = 90
        XCTAssertEqual(early.checkpoints?.cp0, tid(40), "keeps its own checkpoints")
        XCTAssertEqual(try early.load(oid(2), from: source)?.state, Array("b".utf8))
        source.snapshot = tid(45)
        XCTAssertNil(try early.load(oid(3), from: source))
        try early.poll(source, to: 90)
        XCTAssertEqual(early.checkpoints?.cp0, tid(90), "adopted once its snapshot caught up")
        XCTAssertEqual(try early.load(oid(3), from: source)?.state, Array("c".utf8))
    }

    func testANewViewWhoseSnapshotIsOlderThanTheProcessCheckpointsUsesPrivateOnes() throws {
        source.commit(40, [2: "a"])
        source.commit(90, [2: "b"])
        coordinator = CheckpointCoordinator(epoch: CheckpointEpoch(checkpoints: .at(tid(90)), deltaAfter1: [:]))
        let v = view()
        try v.poll(source, to: 40)
        XCTAssertEqual(v.checkpoints, .at(tid(40)))
        XCTAssertEqual(v.epoch?.isShared, false)
        XCTAssertEqual(try v.load(oid(2), from: source)?.state, Array("a".utf8))
    }

    func testOwnCommitIsCachedAtOnceAndVisibleAfterThePoll() throws {
        source.commit(40, [2: "old"])
        let v = view()
        try v.poll(source, to: 40)
        _ = try v.load(oid(2), from: source)
        source.commit(50, [2: "new"])
        v.afterCommit(tid: tid(50), states: [(oid(2), Array("new".utf8))])
        XCTAssertEqual(try v.load(oid(2), from: source)?.state, Array("old".utf8), "still the snapshot's state")
        try v.poll(source, to: 50)
        let loadsBefore = source.loads
        XCTAssertEqual(try v.load(oid(2), from: source)?.state, Array("new".utf8))
        XCTAssertEqual(source.loads, loadsBefore, "served from the entry cached at commit")
    }

    func testLoadManyMatchesSingleLoadsWithOneRoundTrip() throws {
        source.commit(40, Dictionary(uniqueKeysWithValues: (1...20).map { ($0, "s\($0)") }))
        let v = view()
        try v.poll(source, to: 40)
        for o in 1...5 { _ = try v.load(oid(UInt64(o)), from: source) }
        source.commit(45, [3: "changed", 8: "changed8"])
        try v.poll(source, to: 45)
        let many = try v.load(many: (1...25).map { oid(UInt64($0)) }, from: source)
        XCTAssertEqual(source.batchLoads, 1)
        XCTAssertEqual(many.count, 20)
        for o in 1...25 {
            let single = source.truth(oid(UInt64(o)), at: tid(45))
            XCTAssertEqual(many[oid(UInt64(o))]?.state, single?.state)
            XCTAssertEqual(many[oid(UInt64(o))]?.tid, single?.tid)
        }
        let again = try v.load(many: (1...20).map { oid(UInt64($0)) }, from: source)
        XCTAssertEqual(again.count, 20)
        XCTAssertEqual(source.batchLoads, 1, "all hits the second time")
    }
}
