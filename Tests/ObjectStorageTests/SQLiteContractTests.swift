import XCTest

/// The storage contract (``ObjectStoreContract``) against SQLite.
final class SQLiteContractTests: XCTestCase {
    private var backend: StorageBackend?

    private func contract(_ label: String = #function) throws -> ObjectStoreContract {
        let made = try StorageBackend.make(.sqlite, label: label)
        backend = made
        return ObjectStoreContract(backend: made)
    }

    override func tearDown() {
        backend?.remove()
    }

    func testPollListsChangesAndOwnCommits() throws { try contract().pollListsChangesAndOwnCommits() }
    func testSnapshotsAreIsolated() throws { try contract().snapshotsAreIsolated() }
    func testConflictsWriteNothing() throws { try contract().conflictsWriteNothing() }
    func testTransactionIDsIncreaseWithTheClock() throws { try contract().transactionIDsIncreaseWithTheClock() }
    func testNewOIDsAreUniqueAcrossStores() throws { try contract().newOIDsAreUniqueAcrossStores() }
    func testLoadManyAnswersLikePointLoads() throws { try contract().loadManyAnswersLikePointLoads() }
    func testReleasedSnapshotStillPollsTheChanges() throws { try contract().releasedSnapshotStillPollsTheChanges() }
    func testEmptyStatesArePolledAsChanges() throws { try contract().emptyStatesArePolledAsChanges() }
    func testIdentityChangeListsAndLargeCommits() throws { try contract().identityChangeListsAndLargeCommits() }
    func testConcurrentIncrementsLoseNothing() throws { try contract().concurrentIncrementsLoseNothing() }
}
