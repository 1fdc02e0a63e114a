import XCTest
@testable import CacheCore

/// The fields a lookup reads under shared access must not share a cache line with fields a
/// write changes: otherwise every set in a shard makes the other core reload that line on its
/// next lookup there (false sharing, measured by `statecache bench cache`'s two-thread rows).
final class CacheLayoutTests: XCTestCase {
    func testLookupFieldsShareTheirLineWithNothingAWriteChanges() throws {
        typealias Policy = WindowTinyLFU
        // A shard stores its log pointer, then the policy, from a 128-byte boundary
        // (`ReadMostlyLocked` places the value so), so the policy starts 8 bytes into a line.
        let policyStart = MemoryLayout<UnsafeMutablePointer<Int32>>.stride
        let line = 64
        // Read by `peek`: the whole index (table, mask, seed) and the arena's node array.
        let index = try XCTUnwrap(MemoryLayout<Policy>.offset(of: \Policy.index))
        let nodes = try XCTUnwrap(MemoryLayout<Policy>.offset(of: \Policy.arena.nodes))
        let lookupEnd = max(index + MemoryLayout<SlotIndex>.size, nodes + MemoryLayout<ContiguousArray<NodeArena.Node>>.size)
        XCTAssertLessThanOrEqual(policyStart + lookupEnd, line, "lookup fields spill into a second line")
        XCTAssertEqual(MemoryLayout<SlotIndex>.size, 3 * MemoryLayout<Int>.size, "the index holds its table, mask and seed only")
        // Written by every insert or eviction, and everything declared after the arena.
        let freeList = try XCTUnwrap(MemoryLayout<Policy>.offset(of: \Policy.arena.freeList))
        let written: [Int] = [
            freeList,
            try XCTUnwrap(MemoryLayout<Policy>.offset(of: \Policy.windowQueue)),
            try XCTUnwrap(MemoryLayout<Policy>.offset(of: \Policy.probationQueue)),
            try XCTUnwrap(MemoryLayout<Policy>.offset(of: \Policy.protectedQueue)),
            try XCTUnwrap(MemoryLayout<Policy>.offset(of: \Policy.sketch)),
            try XCTUnwrap(MemoryLayout<Policy>.offset(of: \Policy.counters)),
        ]
        for offset in written {
            XCTAssertGreaterThanOrEqual(policyStart + offset, line, "a written field at \(offset) shares the lookup line")
        }
    }
}
