extension FrequencySketch {
    /// Raises the four counters of the key whose hash code is `hashCode` to at least
    /// `frequency` (clamped to 0…15), so that ``frequency(hashCode:)`` answers at least that.
    ///
    /// Used to restore the counts of entries read back from a cache file. Unlike
    /// ``increment(hashCode:)`` it does not count toward the aging sample: restored counts are
    /// old popularity, and the next reset halves them like every other count. Counters that
    /// are already higher (collisions with other keys) are left alone, so the estimate stays
    /// an over-estimate, as a count-min sketch requires.
    ///
    /// - Complexity: O(1), one cache line.
    public mutating func raise(hashCode: UInt32, to frequency: Int) {
        let target = UInt64(Swift.min(15, Swift.max(0, frequency)))
        guard target > 0 else { return }
        let blockHash = FrequencySketch.spread(hashCode)
        let counterHash = FrequencySketch.rehash(blockHash)
        let block = Int((blockHash & blockMask) << 3)
        // The same counter selection as `increment` and `frequency` (see the type's layout),
        // through one pointer: the block's eight words lie inside the table (`blockMask`), and
        // a subscript per counter cost a uniqueness and a bounds check each (a restore raises
        // one key per entry; `statecache bench persist`).
        table.withUnsafeMutableBufferPointer { words in
            precondition(block + 8 <= words.count, "the block lies inside the table")
            let base = words.baseAddress!
            for row in 0..<4 {
                let h = counterHash >> UInt32(row << 3)
                let shift = UInt64(((h >> 1) & 15) << 2)
                let slot = block + Int(h & 1) + (row << 1)
                // Written whether or not it rises: no branch on a counter that is, during a
                // restore, usually a cache miss (a mispredicted branch there discarded the
                // work started on the next entries).
                let raised = Swift.max((base[slot] >> shift) & 0xF, target)
                base[slot] = (base[slot] & ~(0xF << shift)) | (raised << shift)
            }
        }
    }
}
