import CCacheSync

/// An approximate frequency histogram of recent accesses: a count-min sketch of 4-bit counters.
///
/// TinyLFU admission asks "has the newcomer been seen more often, recently, than the entry it
/// would push out?". Counting every key exactly would cost more memory than the cache saves, so
/// the sketch keeps four 4-bit counters per key in a fixed table and answers with the smallest
/// of the four; collisions can only inflate an estimate, never lower it. With a table of *w*
/// counters per row the over-estimate is below `e·N/w` with probability `1 − (1/2)⁴ = 93.75%`.
///
/// ```swift
/// var sketch = FrequencySketch(capacity: 1000)
/// sketch.increment(hashCode: 42)
/// sketch.frequency(hashCode: 42)   // 1
/// ```
///
/// **Layout** (Caffeine's `FrequencySketch` since 3.1.2): the table
/// is an array of `UInt64`, sixteen 4-bit counters each. A key's four counters all live in one
/// 64-byte block of eight words, so an increment touches one cache line: row *i* picks one of
/// the two words of the block's *i*-th 16-byte segment and one of that word's sixteen nibbles.
///
/// **Aging** (the TinyLFU paper's *reset*): after `sampleSize = 10 × capacity` increments that
/// changed a counter, every counter is halved, so that old popularity fades. Halving truncates
/// odd counters; the sample count is corrected by a quarter of the odd counters seen, as the
/// paper's bounded-error argument requires.
///
/// Counters saturate at 15: TinyLFU only needs to rank keys near the admission threshold, and
/// four bits keep the table at 8 bytes per cached entry.
public struct FrequencySketch: Sendable {
    /// The counters: sixteen nibbles per word, blocks of eight words.
    var table: [UInt64]
    /// `table.count / 8 − 1`: selects a block.
    var blockMask: UInt32
    /// Increments that changed at least one counter since the last reset.
    public private(set) var size: Int
    /// The number of such increments after which all counters are halved.
    public private(set) var sampleSize: Int

    /// Every fourth bit (the low bit of each nibble): counts odd counters before halving.
    static let oneMask: UInt64 = 0x1111_1111_1111_1111
    /// Clears each nibble's top bit after a right shift by one: halves all sixteen counters.
    static let resetMask: UInt64 = 0x7777_7777_7777_7777
    /// The smallest table (in words): tiny caches still get enough counters to rank keys.
    public static let minimumTableSize = 256

    /// Creates a sketch sized for a cache of about `capacity` entries.
    ///
    /// - Parameter capacity: the expected number of entries; the table gets the next power of
    ///   two of `max(capacity, 256)` words (8 bytes per entry) and the sample is 10 × that
    ///   capacity.
    public init(capacity: Int) {
        table = []
        blockMask = 0
        size = 0
        sampleSize = 10
        resize(capacity: capacity)
    }

    /// The number of words in the table.
    public var tableSize: Int { table.count }

    /// Grows the table for `capacity` entries (counts are forgotten) or, when the table is
    /// already large enough, only retracks the sample size. Never shrinks the table.
    ///
    /// - Complexity: O(table) when it grows, O(1) otherwise.
    public mutating func ensureCapacity(_ capacity: Int) {
        let maximum = Swift.max(FrequencySketch.minimumTableSize, Swift.min(capacity, Int(Int32.max >> 1)))
        if table.count >= maximum {
            sampleSize = 10 * maximum
            size = Swift.min(size, sampleSize - 1)
            return
        }
        resize(capacity: capacity)
    }

    private mutating func resize(capacity: Int) {
        let maximum = Swift.max(FrequencySketch.minimumTableSize, Swift.min(capacity, Int(Int32.max >> 1)))
        var words = 8
        while words < maximum { words <<= 1 }
        table = [UInt64](repeating: 0, count: words)
        blockMask = UInt32(words >> 3) - 1
        sampleSize = 10 * maximum
        size = 0
    }

    /// Scrambles a 32-bit hash code so that keys with poor hash codes still spread over the
    /// blocks (a three-round multiply–xorshift mixer from hash-prospector, as Caffeine uses).
    @inline(__always) static func spread(_ value: UInt32) -> UInt32 {
        var x = value
        x ^= x >> 17
        x = x &* 0xED5A_D4BB
        x ^= x >> 11
        x = x &* 0xAC4C_1B51
        x ^= x >> 15
        return x
    }

    /// A second, independent-looking hash that chooses the four counters inside the block.
    @inline(__always) static func rehash(_ value: UInt32) -> UInt32 {
        var x = value &* 0x3184_8BAB
        x ^= x >> 14
        return x
    }

    /// The estimated number of recent accesses of the key whose hash code is `hashCode` (0…15).
    ///
    /// - Complexity: O(1), one cache line.
    public func frequency(hashCode: UInt32) -> Int {
        let blockHash = FrequencySketch.spread(hashCode)
        let counterHash = FrequencySketch.rehash(blockHash)
        let block = Int((blockHash & blockMask) << 3)
        var minimum: UInt64 = 15
        table.withUnsafeBufferPointer { words in
            for row in 0..<4 {
                let h = counterHash >> UInt32(row << 3)
                let nibble = (h >> 1) & 15
                let slot = block + Int(h & 1) + (row << 1)
                let count = (words[slot] >> UInt64(nibble << 2)) & 0xF
                minimum = Swift.min(minimum, count)
            }
        }
        return Int(minimum)
    }

    /// Asks the CPU to fetch the block that ``increment(hashCode:)`` will change for
    /// `hashCode`, without reading or writing it (``WindowTinyLFU/prefetchHits(_:count:)``).
    @inline(__always) func prefetch(hashCode: UInt32) {
        let block = Int((FrequencySketch.spread(hashCode) & blockMask) << 3)
        table.withUnsafeBufferPointer { words in
            // The block lies inside the table (masked), which is never empty; the pointer is
            // only a hint to the CPU and is not dereferenced.
            guard let base = words.baseAddress else { return }
            statecache_prefetch_for_write(base + block)
        }
    }

    /// Records one access of the key whose hash code is `hashCode`; halves all counters every
    /// `sampleSize` effective increments.
    ///
    /// - Complexity: O(1) amortized (the reset sweep is O(table) once per sample).
    public mutating func increment(hashCode: UInt32) {
        let blockHash = FrequencySketch.spread(hashCode)
        let counterHash = FrequencySketch.rehash(blockHash)
        let block = Int((blockHash & blockMask) << 3)
        // Straight-line over one pointer: no closure captures, one uniqueness check.
        let added = table.withUnsafeMutableBufferPointer { words -> Bool in
            let base = words.baseAddress!
            let row0 = FrequencySketch.incrementAt(base, block, counterHash, row: 0)
            let row1 = FrequencySketch.incrementAt(base, block, counterHash, row: 1)
            let row2 = FrequencySketch.incrementAt(base, block, counterHash, row: 2)
            let row3 = FrequencySketch.incrementAt(base, block, counterHash, row: 3)
            return row0 || row1 || row2 || row3
        }
        if added {
            size += 1
            if size >= sampleSize { reset() }
        }
    }

    /// Adds one to row `row`'s counter of the block unless it is saturated; true if it changed.
    /// `words` must hold the whole block (`block + 8 ≤ table.count`, ensured by `blockMask`).
    @inline(__always)
    static func incrementAt(_ words: UnsafeMutablePointer<UInt64>, _ block: Int, _ counterHash: UInt32, row: Int) -> Bool {
        let h = counterHash >> UInt32(row << 3)
        let shift = UInt64(((h >> 1) & 15) << 2)
        let slot = block + Int(h & 1) + (row << 1)
        let mask: UInt64 = 0xF << shift
        guard words[slot] & mask != mask else { return false }
        words[slot] &+= 1 << shift
        return true
    }

    /// Halves every counter (aging) and corrects the sample count for truncated odd counters.
    mutating func reset() {
        var odd = 0
        table.withUnsafeMutableBufferPointer { words in
            for index in words.indices {
                odd += (words[index] & FrequencySketch.oneMask).nonzeroBitCount
                words[index] = (words[index] >> 1) & FrequencySketch.resetMask
            }
        }
        size = Swift.max(0, (size - (odd >> 2)) >> 1)
    }

    /// Forgets every count.
    public mutating func clear() {
        for index in table.indices { table[index] = 0 }
        size = 0
    }
}
