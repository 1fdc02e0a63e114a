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
            NodeArena.Node(key: key, actualTID: .zero, payload: [UInt8(truncatingIfNeeded: key.oid.rawValue), 1],
                           weight: 1, hashCode: key.sketchHashCode, region: .window, previous: -1, next: -1)
        }
        for step in 0..<40_000 {
            // A small key space makes long probe runs and frequent removals in the middle of them.
            let key = CacheKey(oid: ObjectID(generator.next() % 700), tid: TransactionID(generator.next() % 3))
            if generator.next() % 3 == 0 {
                XCTAssertEqual(index.remove(key, nodes: nodes), model.removeValue(forKey: key))
            } else if model[key] == nil {
                nodes.append(node(key))
                let slot = Int32(nodes.count - 1)
                index.insert(key, slot: slot, payloadAddress: SlotIndex.payloadAddress(of: nodes[Int(slot)].payload),
                             holding: model.count)
                model[key] = slot
            }
            if step % 997 == 0 {
                for (key, slot) in model { XCTAssertEqual(index.find(key, in: nodes), slot) }
                var indexed = 0
                index.forEachSlot { _ in indexed += 1 }
                XCTAssertEqual(indexed, model.count)
                // Every bucket carries its node's payload address through the backward shifts
                // and the growths (checked against the nodes).
                XCTAssertEqual(index.checkInvariants(nodes: nodes), model.count)
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

    /// A set that replaces an entry's payload updates the bucket's address, so the hint stays
    /// the node's (the invariant the policy's checks rely on).
    func testReplacedPayloadUpdatesTheBucketsAddress() {
        var nodes = ContiguousArray<NodeArena.Node>()
        var index = SlotIndex(seed: 5)
        for oid in 0 ..< 200 as Range<UInt64> {
            let key = CacheKey(oid: ObjectID(oid), tid: TransactionID(1))
            nodes.append(NodeArena.Node(key: key, actualTID: .zero, payload: [1, 2, 3], weight: 1,
                                        hashCode: key.sketchHashCode, region: .window, previous: -1, next: -1))
            index.insert(key, slot: Int32(oid), payloadAddress: SlotIndex.payloadAddress(of: nodes[Int(oid)].payload),
                         holding: Int(oid))
        }
        for oid in stride(from: 0, to: 200, by: 7) {
            let replacement: [UInt8] = [9, 9, 9, 9]
            nodes[oid].payload = replacement
            index.setPayloadAddress(SlotIndex.payloadAddress(of: replacement), ofSlot: Int32(oid), key: nodes[oid].key)
        }
        XCTAssertEqual(index.checkInvariants(nodes: nodes), 200)
    }

    /// The address is a prefetch hint only: lookups stay right with addresses that point
    /// nowhere (null, unmapped, misaligned), and nothing is dereferenced through them.
    func testLookupsNeverDependOnThePayloadAddress() {
        var nodes = ContiguousArray<NodeArena.Node>()
        var index = SlotIndex(seed: 8)
        let bogus: [UInt] = [0, 1, 0xDEAD_BEEF, UInt.max - 63, 0x7FFF_FFFF_FFFF_F001]
        for oid in 0 ..< 1_000 as Range<UInt64> {
            let key = CacheKey(oid: ObjectID(oid % 300), tid: TransactionID(oid / 300))
            nodes.append(NodeArena.Node(key: key, actualTID: .zero, payload: [], weight: 1,
                                        hashCode: key.sketchHashCode, region: .window, previous: -1, next: -1))
            index.insert(key, slot: Int32(oid), payloadAddress: bogus[Int(oid) % bogus.count], holding: Int(oid))
        }
        for oid in 0 ..< 1_000 as Range<UInt64> {
            XCTAssertEqual(index.find(CacheKey(oid: ObjectID(oid % 300), tid: TransactionID(oid / 300)), in: nodes), Int32(oid))
        }
        XCTAssertNil(index.find(CacheKey(oid: ObjectID(5), tid: TransactionID(9)), in: nodes))
    }
}
