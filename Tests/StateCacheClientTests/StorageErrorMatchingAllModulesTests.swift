import ObjectStorage
import StateCache
import StateCacheThreaded
import XCTest

/// The same patterns with the umbrella, the threaded API and the storage contract all imported:
/// the front doors' pattern operator and ObjectStorage's are both in sight, and overload ranking
/// must pick one instead of calling the match ambiguous (a compile error in the user's code).
final class StorageErrorMatchingAllModulesTests: XCTestCase {
    func testACodeMatchesItsErrorsOnly() {
        XCTAssertTrue(matches(StorageError(.conflict, "lost the race"), .conflict))
        XCTAssertFalse(matches(StorageError(.busy, "locked"), .conflict))
        XCTAssertFalse(matches(CancellationError(), .conflict))
        switch StorageError(.connectionLost, "server gone") as any Error {
        case StorageError.Code.busy: XCTFail("busy matched a lost connection")
        case StorageError.Code.connectionLost: break
        default: XCTFail("a lost connection did not match its code")
        }
    }

    private func matches(_ error: any Error, _ code: StorageError.Code) -> Bool {
        if case code = error { return true }
        return false
    }
}
