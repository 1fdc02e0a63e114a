import Foundation
import StateVocabulary
import XCTest

/// `Locked` is the mutex every module's shared bookkeeping sits behind: updates from many
/// threads must all land, and an error thrown inside must leave the lock free.
final class LockedTests: XCTestCase {
    func testUpdatesFromManyThreadsAllLand() {
        let counter = Locked(0)
        DispatchQueue.concurrentPerform(iterations: 8) { _ in
            for _ in 0..<10_000 { counter.withLock { $0 += 1 } }
        }
        XCTAssertEqual(counter.withLock { $0 }, 80_000)
    }

    func testAnErrorThrownInsideLeavesTheLockFree() {
        struct Refused: Error {}
        let value = Locked([1, 2])
        XCTAssertThrowsError(try value.withLock { (values: inout [Int]) throws(Refused) in
            values.append(3)
            throw Refused()
        })
        XCTAssertEqual(value.withLock { $0 }, [1, 2, 3], "what the body did before throwing stays")
    }
}
