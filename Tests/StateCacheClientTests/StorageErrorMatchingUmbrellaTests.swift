import StateCache
import XCTest

/// `catch StorageError.Code.conflict` with `import StateCache` alone: the umbrella re-exports
/// `StorageError` by name, which does not bring ObjectStorage's pattern operator, so the front
/// doors carry their own. (This file imports nothing else on
/// purpose; StorageErrorMatchingAllModulesTests checks the same with every module in sight.)
final class StorageErrorMatchingUmbrellaTests: XCTestCase {
    func testACodeMatchesItsErrorsOnly() {
        XCTAssertEqual(caught(StorageError(.conflict, "lost the race")), "conflict")
        XCTAssertEqual(caught(StorageError(.busy, "locked")), "busy")
        XCTAssertEqual(caught(StorageError(.corrupt, "bad page")), "other storage error")
        XCTAssertEqual(caught(CancellationError()), "not a storage error")
    }

    private func caught(_ error: any Error) -> String {
        do {
            throw error
        } catch StorageError.Code.conflict {
            return "conflict"
        } catch StorageError.Code.busy {
            return "busy"
        } catch is StorageError {
            return "other storage error"
        } catch {
            return "not a storage error"
        }
    }
}
