extension CircularCacheSimulation {
    /// Walks the whole simulated file and checks every structural property, stopping at the
    /// first broken one — the checks ZEO's `check()` asserts at each report, and more. Tests
    /// call it after every record; reports do not (it is O(blocks)).
    ///
    /// - Returns: nil when consistent, else a message naming the broken block or object.
    package func invariantViolation() -> String? {
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
                let entry = entries[Int(block.owner)]
                let e = block.owner
                if entry.offset != address {
                    return "entry \(e) thinks it is at \(entry.offset) but its block is at \(address)"
                }
                if ring.owners[Int(entry.slot)] != block.owner {
                    return "entry \(e)'s slot \(entry.slot) holds another block"
                }
                let o = Int(entry.object)
                if entry.end == 0 {
                    if objects[o].currentEntry != e { return "entry \(e) is current but object \(o) points to \(objects[o].currentEntry)" }
                    if objects[o].currentOffset != address { return "object \(o)'s current offset \(objects[o].currentOffset) is stale" }
                } else if !nonCurrent[o].contains(where: { $0.entry == e && $0.start == entry.start && $0.end == entry.end }) {
                    return "non-current entry \(e) is missing from object \(o)'s revisions"
                }
            }
            address += block.size
            if address == offset { pointerSeen = true }
        }
        if address != limit { return "the blocks end at \(address), not at the limit \(limit)" }
        if !pointerSeen { return "no block starts at the write pointer \(offset)" }
        if used != usedBytes { return "used bytes \(usedBytes) but the blocks hold \(used)" }
        for (o, state) in objects.enumerated() where Int(state.nonCurrentCount) != nonCurrent[o].count {
            return "object \(o) counts \(state.nonCurrentCount) non-current revisions but lists \(nonCurrent[o].count)"
        }
        let indexed = currentCount + nonCurrent.reduce(0) { $0 + $1.count }
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

