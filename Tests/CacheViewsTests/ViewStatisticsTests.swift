import XCTest
@testable import CacheViews

/// Summing the statistics of several views (what the stress report and a process-wide view of
/// its connections do).
final class ViewStatisticsTests: XCTestCase {
    /// Every counter is summed, including one added to the type later: each field of a sum
    /// is checked through reflection against the two parts.
    func testAddSumsEveryCounter() throws {
        var first = ViewStatistics(), second = ViewStatistics()
        first.loads = 10; first.hits = 7; first.misses = 3; first.copiesForward = 1
        first.polls = 4; first.rebuilds = 1; first.adoptions = 2; first.shifts = 1
        second.loads = 5; second.hits = 1; second.misses = 4; second.copiesForward = 2
        second.polls = 9; second.rebuilds = 3; second.adoptions = 1; second.shifts = 2
        var sum = first
        sum.add(second)
        let parts = (Mirror(reflecting: first).children.map(\.value), Mirror(reflecting: second).children.map(\.value))
        let sums = Mirror(reflecting: sum).children.map { ($0.label ?? "?", $0.value) }
        XCTAssertEqual(sums.count, 8)
        for (index, (label, value)) in sums.enumerated() {
            let a = try XCTUnwrap(parts.0[index] as? Int), b = try XCTUnwrap(parts.1[index] as? Int)
            XCTAssertNotEqual(a, 0, "\(label): the test gives every counter a value")
            XCTAssertEqual(value as? Int, a + b, label)
        }
        XCTAssertEqual(sum.hitRate, 8.0 / 15.0, accuracy: 1e-12)
        var empty = ViewStatistics()
        empty.add(ViewStatistics())
        XCTAssertEqual(empty, ViewStatistics())
    }
}
