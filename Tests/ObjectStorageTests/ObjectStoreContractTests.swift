import StorageTestSupport
import XCTest

/// The storage contract (``ObjectStoreContract``): each case runs on every backend in turn,
/// each on a fresh database of its own that is removed afterwards, whatever the case did.
/// SQLite always runs; PostgreSQL runs on the run's throwaway server, and without one is
/// skipped (a failure with `STATECACHE_REQUIRE_POSTGRES`, as ``StorageBackend/make(_:label:)``
/// decides) after SQLite has run. Every failure names the backend it happened on.
final class ObjectStoreContractTests: XCTestCase {
    /// The backends every case runs on, in this order.
    private static let backends: [StorageBackend.Kind] = [.sqlite, .postgres]

    /// The backend whose run is under way: named in the failures it records.
    private var running: StorageBackend.Kind?

    override func recordFailure(withDescription description: String, inFile filePath: String, atLine lineNumber: Int,
                                expected: Bool) {
        let prefix = running.map { "[\($0)] " } ?? ""
        super.recordFailure(withDescription: prefix + description, inFile: filePath, atLine: lineNumber, expected: expected)
    }

    /// Runs `contractCase` against a fresh database of each backend. An error a case throws
    /// fails that backend's run, and the next backend still runs; a backend that is not
    /// available (no PostgreSQL server) does not stop the others, and its skip is thrown last.
    private func onEveryBackend(_ label: String = #function,
                                _ contractCase: (ObjectStoreContract) throws -> Void) throws {
        var unavailable: XCTSkip?
        for kind in Self.backends {
            running = kind
            defer { running = nil }
            let backend: StorageBackend
            do {
                backend = try StorageBackend.make(kind, label: label)
            } catch let skip as XCTSkip {
                unavailable = skip
                continue
            }
            defer { backend.remove() }
            do {
                try contractCase(ObjectStoreContract(backend: backend))
            } catch {
                XCTFail("threw \(error)")
            }
        }
        if let unavailable { throw unavailable }
    }

    func testPollListsChangesAndOwnCommits() throws { try onEveryBackend { try $0.pollListsChangesAndOwnCommits() } }
    func testSnapshotsAreIsolated() throws { try onEveryBackend { try $0.snapshotsAreIsolated() } }
    func testConflictsWriteNothing() throws { try onEveryBackend { try $0.conflictsWriteNothing() } }
    func testTransactionIDsIncreaseWithTheClock() throws { try onEveryBackend { try $0.transactionIDsIncreaseWithTheClock() } }
    func testNewOIDsAreUniqueAcrossStores() throws { try onEveryBackend { try $0.newOIDsAreUniqueAcrossStores() } }
    func testLoadManyAnswersLikePointLoads() throws { try onEveryBackend { try $0.loadManyAnswersLikePointLoads() } }
    func testReleasedSnapshotStillPollsTheChanges() throws { try onEveryBackend { try $0.releasedSnapshotStillPollsTheChanges() } }
    func testEmptyStatesArePolledAsChanges() throws { try onEveryBackend { try $0.emptyStatesArePolledAsChanges() } }
    func testIdentityChangeListsAndLargeCommits() throws { try onEveryBackend { try $0.identityChangeListsAndLargeCommits() } }
    func testConcurrentIncrementsLoseNothing() throws { try onEveryBackend { try $0.concurrentIncrementsLoseNothing() } }
}
