import CacheCore
#if canImport(Glibc)
import CMalloc
#endif

/// Measures what a cache entry costs in heap memory beyond its payload bytes — the figure
/// behind ``CacheOptions/entryOverhead``.
public enum EntryOverheadProbe {
    /// Inserts `entries` fresh `payloadSize`-byte states into a cache large enough to keep all
    /// of them and returns `(heap growth) / entries − payloadSize`, or nil where the C library
    /// cannot report heap use (`mallinfo2` is glibc's).
    public static func measure(entries: Int = 200_000, payloadSize: Int = 100) -> Double? {
        #if canImport(Glibc)
        var options = CacheOptions()
        options.cacheLocalMB = Double(entries * (payloadSize + 1000)) / 1_000_000
        options.shardCount = 1
        options.seed = 1
        let before = heapInUse()
        var cache: SharedStateCache? = SharedStateCache(options: options)
        for i in 0..<entries {
            var state = [UInt8](repeating: 0, count: payloadSize)
            state[0] = UInt8(truncatingIfNeeded: i)
            cache!.set(CacheKey(oid: ObjectID(UInt64(i)), tid: TransactionID(1)), ObjectState(state: state, tid: TransactionID(1)))
        }
        let after = heapInUse()
        precondition(cache!.statistics.entries == entries, "the probe's cache evicted entries")
        cache = nil
        return Double(Int(after) - Int(before)) / Double(entries) - Double(payloadSize)
        #else
        return nil
        #endif
    }

    #if canImport(Glibc)
    /// Bytes in use: small blocks in the arenas plus large blocks glibc maps separately.
    static func heapInUse() -> Int {
        let info = mallinfo2()
        return Int(info.uordblks) + Int(info.hblkhd)
    }
    #endif
}
