@testable import CacheAnalysis
import CacheCore
import XCTest

/// OPT's victim queue against a sorted reference, with its invariants checked after every
/// randomized operation.
final class IndexedMaxHeapTests: XCTestCase {
    func testRandomOperationsKeepTheOrderAndThePositions() {
        var heap = IndexedMaxHeap(objectCount: 200)
        var reference: [Int32: Int] = [:]
        var random = SplitMix64(seed: 5)
        for step in 0 ..< 20_000 {
            let object = Int32(random.next() % 200)
            switch random.next() % 4 {
            case 0, 1:
                let key = Int(random.next() % 1_000)
                heap.set(object, key: key)
                reference[object] = key
            case 2:
                heap.remove(object)
                reference[object] = nil
            default:
                let top = heap.popMax()
                let expected = reference.values.max()
                XCTAssertEqual(top.flatMap { reference[$0] }, expected, "step \(step)")
                if let top { reference[top] = nil }
            }
            XCTAssertTrue(heap.isValid, "step \(step)")
            XCTAssertEqual(heap.count, reference.count)
            XCTAssertEqual(heap.contains(object), reference[object] != nil)
        }
        heap.removeAll()
        XCTAssertTrue(heap.isEmpty && heap.isValid)
    }
}
