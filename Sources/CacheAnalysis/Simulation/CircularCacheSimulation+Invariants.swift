extension CircularCacheSimulation {
    /// Walks the whole simulated file and checks every structural property, stopping at the
    /// first broken one — the checks ZEO's `check()` asserts at each report, and more. Tests
    /// call it after every record; reports do not (it is O(blocks)).
    ///
    /// - Returns: nil when consistent, else a message naming the broken block or object.
    public func invariantViolation() -> String? {
        let blocks = ring.blocksInFileOrder()
        var address = CircularCacheSimulation.fileHeaderSize
        var used = 0
        var owners = 0
        var pointerSeen = address == offset
        for (index, block) in blocks.enumerated() {
            if block.size <= 0 { return "block \(index) at \(address) has size \(block.size)" }
            if block.owner >= 0 {
                owners += 1
                used += block.size
                let e = Int(block.owner)
                if entryOffset[e] != address {
                    return "entry \(e) thinks it is at \(entryOffset[e]) but its block is at \(address)"
                }
                if ring.owners[Int(entrySlot[e])] != block.owner {
                    return "entry \(e)'s slot \(entrySlot[e]) holds another block"
                }
                let o = Int(entryObject[e])
                if entryEnd[e] == 0 {
                    if currentEntry[o] != block.owner { return "entry \(e) is current but object \(o) points to \(currentEntry[o])" }
                } else if !nonCurrent[o].contains(where: { $0.entry == block.owner && $0.start == entryStart[e] && $0.end == entryEnd[e] }) {
                    return "non-current entry \(e) is missing from object \(o)'s revisions"
                }
            }
            address += block.size
            if address == offset { pointerSeen = true }
        }
        if address != limit { return "the blocks end at \(address), not at the limit \(limit)" }
        if !pointerSeen { return "no block starts at the write pointer \(offset)" }
        if used != usedBytes { return "used bytes \(usedBytes) but the blocks hold \(used)" }
        let indexed = currentEntry.reduce(0) { $0 + ($1 >= 0 ? 1 : 0) } + nonCurrent.reduce(0) { $0 + $1.count }
        if indexed != owners { return "\(indexed) revisions are indexed but \(owners) blocks hold entries" }
        for (o, revisions) in nonCurrent.enumerated() {
            for pair in zip(revisions, revisions.dropFirst())
            where pair.0.start > pair.1.start || (pair.0.start == pair.1.start && pair.0.end > pair.1.end) {
                return "object \(o)'s non-current revisions are not sorted"
            }
        }
        return nil
    }
}

