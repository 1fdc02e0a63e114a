import CacheCore
import Foundation
import XCTest
import TestSupport
@testable import CacheFiles

/// Which entries a save writes, whatever their mix: the reachable ones, in the export's order,
/// up to the cap — whether the first unreachable entry comes first, in the middle or never,
/// and before or after the cap.
final class SaveSelectionTests: CacheDirectoryTestCase {
    /// Entries 1…count at `cp0` = 1000; those in `unreachable` are filed under TID 1500 but
    /// written by 900 (not a possible "exact TID" fact after cp1), so the rule drops them.
    func entries(_ count: Int, unreachable: Set<Int>) -> [PersistedEntry] {
        (1...count).map { oid in
            PersistedEntry(key: Fixture.key(oid, unreachable.contains(oid) ? 1500 : 1000), actualTID: TransactionID(900),
                           payload: [UInt8](repeating: UInt8(1 + oid % 40), count: 100), region: .probation, frequency: 3)
        }
    }

    func testTheSelectionIsTheReachablePrefixUpToTheCapWhereverTheGapsAre() throws {
        let record = CacheFile.entryHeaderSize + 100
        let cases: [(unreachable: Set<Int>, capEntries: Int)] = [
            ([], 400), ([], 250), ([1], 400), ([200], 400), ([200, 201, 350], 400),
            ([200], 150), ([200], 250), ([400], 100), ([2, 399], 398),
        ]
        for (number, setup) in cases.enumerated() {
            let all = entries(400, unreachable: setup.unreachable)
            let rule = Fixture.everything()
            let expected = Array(all.filter { rule.isReachable($0.key, actualTID: $0.actualTID) }.prefix(setup.capEntries))
            let saved = try cacheDirectory.save(all, identity: Fixture.identity, reachability: rule,
                                                options: .init(maximumBytes: setup.capEntries * record, keepCount: 100))
            let what = "case \(number): unreachable \(setup.unreachable.sorted()), cap \(setup.capEntries)"
            XCTAssertEqual(saved.entries, expected.count, what)
            XCTAssertEqual(saved.entryBytes, expected.count * record, what)
            XCTAssertEqual(saved.unreachableEntries, setup.unreachable.count, what)
            XCTAssertEqual(saved.cappedEntries, all.count - setup.unreachable.count - expected.count, what)
            let written = try Fixture.read(try XCTUnwrap(saved.file, what))
            XCTAssertEqual(written.map(\.key), expected.map(\.key), what)
            XCTAssertTrue(written == expected, "the same entries: \(what)")
        }
    }
}
