import Foundation
import XCTest
@testable import CacheCore

/// The shard lock: readers run together, a writer runs alone, and nobody ever sees a change
/// half made. Run under ThreadSanitizer by `make test-tsan`.
final class ReadMostlyLockedConcurrencyTests: XCTestCase {
    /// Two fields a writer changes one after the other; equal whenever no writer is inside.
    struct Pair {
        var first = 0
        var second = 0
    }

    func testReadersNeverSeeAHalfMadeChange() {
        let lock = ReadMostlyLocked(Pair())
        let torn = Locked(0)
        let shared = Locked(0)
        let threads = 4, iterations = 20_000
        DispatchQueue.concurrentPerform(iterations: threads) { thread in
            let stripe = ThreadStripe.current
            var sharedReads = 0, tornReads = 0
            for step in 0 ..< iterations {
                if (step + thread) % 10 == 0 {
                    lock.withExclusiveAccess { pair in
                        pair.first += 1
                        // Keep the pair unequal for a while, so that a reader let in would notice.
                        var delay = 0
                        for i in 0 ..< 500 { delay &+= i &* step }
                        pair.second += delay == -1 ? 2 : 1
                    }
                } else if let equal = lock.withSharedAccess(stripe: stripe, { $0.first == $0.second }) {
                    sharedReads += 1
                    if !equal { tornReads += 1 }
                } else {
                    let equal = lock.withExclusiveAccess { $0.first == $0.second }
                    if !equal { tornReads += 1 }
                }
            }
            torn.withLock { $0 += tornReads }
            shared.withLock { $0 += sharedReads }
        }
        XCTAssertEqual(torn.withLock { $0 }, 0)
        XCTAssertGreaterThan(shared.withLock { $0 }, 0, "most reads run alongside each other")
        let total = lock.withExclusiveAccess { $0.first }
        XCTAssertEqual(total, threads * iterations / 10)
        XCTAssertEqual(lock.withExclusiveAccess { $0.second }, total)
        lock.checkInvariants()
    }

    /// A reader steps aside (nil) when a writer stays inside longer than it waits (here the
    /// writer is the reader's own thread, which never leaves meanwhile), or when its stripe is
    /// taken; it never waits for a stripe.
    func testReadersStepAsideWhenTheyCannotGoIn() {
        let lock = ReadMostlyLocked(Pair())
        XCTAssertEqual(lock.withSharedAccess(stripe: 2) { $0.first }, 0)
        lock.withExclusiveAccess { _ in
            XCTAssertNil(lock.withSharedAccess(stripe: 2) { $0.first }, "a writer is inside")
        }
        let nested = lock.withSharedAccess(stripe: 2) { _ in
            lock.withSharedAccess(stripe: 2) { $0.first }
        }
        XCTAssertEqual(nested, .some(nil), "the stripe is taken")
        XCTAssertEqual(lock.withSharedAccess(stripe: 5) { _ in lock.withSharedAccess(stripe: 6) { $0.first } }, 0,
                       "other stripes are free")
    }

    /// The try of exclusive access runs its body when no writer holds the lock, and gives up
    /// at once, running nothing, when one does (the shard's hit log relies on both: it is
    /// applied when that is free, and a lookup never queues behind a writer for it).
    func testTryingExclusiveAccessNeverWaitsForAWriter() {
        let lock = ReadMostlyLocked(Pair())
        XCTAssertEqual(lock.tryWithExclusiveAccess { pair -> Int in
            pair.first += 1
            return pair.first
        }, 1)
        lock.withExclusiveAccess { _ in
            XCTAssertNil(lock.tryWithExclusiveAccess { pair -> Int in
                pair.first += 1
                return pair.first
            }, "another writer is inside")
        }
        XCTAssertEqual(lock.withExclusiveAccess { $0.first }, 1)
        lock.checkInvariants()
    }
}
