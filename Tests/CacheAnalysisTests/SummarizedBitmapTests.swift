@testable import CacheAnalysis
import CacheCore
import XCTest

/// OPT's victim set against a plain `Set`, with its invariants checked after every
/// randomized operation, at sizes that give one to four levels.
final class SummarizedBitmapTests: XCTestCase {
    func testRandomOperationsAgreeWithASet() {
        var random = SplitMix64(seed: 11)
        for capacity in [1, 63, 64, 65, 4_096, 4_097, 300_000] {
            var bitmap = SummarizedBitmap(capacity: capacity)
            var reference = Set<Int>()
            XCTAssertNil(bitmap.max)
            for step in 0 ..< 5_000 {
                // Cluster members now and then so that whole words and summaries empty out.
                let member = step % 3 == 0 ? Int(random.next() % UInt64(Swift.min(capacity, 130)))
                                           : Int(random.next() % UInt64(capacity))
                switch random.next() % 5 {
                case 0, 1:
                    bitmap.insert(member)
                    reference.insert(member)
                case 2, 3:
                    bitmap.remove(member)
                    reference.remove(member)
                default:
                    XCTAssertEqual(bitmap.max, reference.max(), "capacity \(capacity), step \(step)")
                    if let top = bitmap.max {
                        bitmap.remove(top)
                        reference.remove(top)
                    }
                }
                XCTAssertEqual(bitmap.contains(member), reference.contains(member))
                XCTAssertEqual(bitmap.isEmpty, reference.isEmpty)
                if step % 97 == 0 { bitmap.checkInvariants() }
            }
            bitmap.checkInvariants()
            XCTAssertEqual(bitmap.max, reference.max())
            bitmap.removeAll()
            XCTAssertNil(bitmap.max)
            bitmap.checkInvariants()
        }
    }

    func testTheLargestMemberIsFoundAcrossLevels() {
        var bitmap = SummarizedBitmap(capacity: 1 << 20)
        for member in [0, 64, 4_095, 4_096, 262_143, 262_144, (1 << 20) - 1] {
            bitmap.insert(member)
            XCTAssertEqual(bitmap.max, member)
        }
        for expected in [262_144, 262_143, 4_096, 4_095, 64, 0] {
            bitmap.remove(bitmap.max!)
            XCTAssertEqual(bitmap.max, expected)
        }
        bitmap.remove(0)
        XCTAssertTrue(bitmap.isEmpty)
        bitmap.checkInvariants()
    }
}
