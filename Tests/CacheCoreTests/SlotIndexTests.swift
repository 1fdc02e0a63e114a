import XCTest
@testable import CacheCore

/// The open-addressing index against a Dictionary, through inserts, removals (backward
/// shifts), growth and clears, with keys chosen to collide in their home buckets.
final class SlotIndexTests: XCTestCase {
    func testMatchesADictionaryUnderRandomOperations() {
        var generator = SplitMix64(seed: 21)
        var nodes = ContiguousArray<NodeArena.Node>()
        var index = SlotIndex(seed: 99)
        var model: [CacheKey: Int32] = [:]
        func node(_ key: CacheKey) -> NodeArena.Node {
            NodeArena.Node(key: key, actualTID: .zero, payload: [], weight: 1, hashCode: key.sketchHashCode,
                           region: .window, previous: -1, next: -1)
        }
        for step in 0..<40_000 {
            // A small key space makes long probe runs and frequent removals in the middle of them.
            let key = CacheKey(oid: ObjectID(generator.next() % 700), tid: TransactionID(generator.next() % 3))
            if generator.next() % 3 == 0 {
                XCTAssertEqual(index.remove(key, nodes: nodes), model.removeValue(forKey: key))
            } else if model[key] == nil {
                nodes.append(node(key))
                let slot = Int32(nodes.count - 1)
                index.insert(key, slot: slot, holding: model.count)
                model[key] = slot
            }
            if step % 997 == 0 {
                for (key, slot) in model { XCTAssertEqual(index.find(key, in: nodes), slot) }
                var indexed = 0
                index.forEachSlot { _ in indexed += 1 }
                XCTAssertEqual(indexed, model.count)
            }
            if step == 30_000 {
                index.removeAll()
                model.removeAll()
            }
        }
        for oid in 0..<700 as Range<UInt64> {
            for tid in 0..<3 as Range<UInt64> {
                let key = CacheKey(oid: ObjectID(oid), tid: TransactionID(tid))
                XCTAssertEqual(index.find(key, in: nodes), model[key])
            }
        }
    }
}
