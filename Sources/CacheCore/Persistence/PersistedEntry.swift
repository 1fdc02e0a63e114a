/// One cache entry on its way out of a cache (to a cache file) or back in: the fact it records
/// and the policy's opinion of it.
///
/// The fact is the entry itself — `(oid, keyTID) → (actualTID, payload)`, see ``CacheKey``. The
/// opinion is where the W-TinyLFU policy kept it (``region``) and how often its sketch had seen
/// it recently (``frequency``), so that a cache restored from a file ranks the entry as the
/// saved cache did: a hot entry comes back protected and with the counts that let it win
/// admission contests, instead of as a newcomer in the window that the first scan pushes out.
///
/// ```swift
/// let saved = cache.exportEntries()          // most valuable first
/// let restored = SharedStateCache(options: options)
/// restored.restore(saved)                    // same keys, regions and sketch counts
/// ```
public struct PersistedEntry: Sendable, Equatable {
    /// The key the entry is filed under.
    public var key: CacheKey
    /// The transaction that wrote the state.
    public var actualTID: TransactionID
    /// The state in the cache's stored form (``StateCodec``: possibly compressed, always
    /// self-describing), so saving and restoring never re-encode it.
    public var payload: [UInt8]
    /// The policy region the entry was in.
    public var region: WindowTinyLFU.Region
    /// The frequency sketch's estimate for the key when it was exported (0…15).
    public var frequency: UInt8

    /// Creates an entry; `frequency` is clamped to the sketch's range 0…15.
    public init(key: CacheKey, actualTID: TransactionID, payload: [UInt8],
                region: WindowTinyLFU.Region, frequency: Int) {
        self.key = key
        self.actualTID = actualTID
        self.payload = payload
        self.region = region
        self.frequency = UInt8(Swift.min(15, Swift.max(0, frequency)))
    }

    /// How strongly the policy holds on to entries of `region` when frequencies tie:
    /// protected (hit again after admission; demoted last) over probation (a probation victim
    /// beats a window candidate of equal frequency) over window.
    @inlinable public static func regionRank(_ region: WindowTinyLFU.Region) -> Int {
        switch region {
        case .protected: return 2
        case .probation: return 1
        case .window: return 0
        }
    }
}

extension PersistedEntry {
    /// A sort key that puts entries in *value order*, most valuable first, and remembers each
    /// entry's position (`index`, below 2³²) in the array being sorted.
    ///
    /// Value order is the order in which a W-TinyLFU policy would give entries up last: the
    /// sketch estimate first (the measure its admission contest compares), then the region
    /// (``regionRank(_:)``), then recency within the region (`recencyRank` 0 = most recent;
    /// ranks of several shards interleave). Bits, high to low: 4 × (15 − frequency),
    /// 2 × (2 − region rank), 26 × recency rank (saturated), 32 × index.
    @inlinable public static func valueOrderKey(frequency: UInt8, region: WindowTinyLFU.Region,
                                                recencyRank: Int, index: Int) -> UInt64 {
        precondition(index >= 0 && index <= Int(UInt32.max), "at most 2³² entries are ordered at once")
        let rank = UInt64(Swift.min(Swift.max(0, recencyRank), (1 << 26) - 1))
        return UInt64(15 - Swift.min(frequency, 15)) << 60
            | UInt64(2 - regionRank(region)) << 58
            | rank << 32
            | UInt64(index)
    }

    /// The `index` stored in a ``valueOrderKey(frequency:region:recencyRank:index:)``.
    @inlinable public static func index(inValueOrderKey key: UInt64) -> Int {
        Int(truncatingIfNeeded: key & 0xFFFF_FFFF)
    }
}

extension PersistedEntry {
    /// Puts `entries` in value order, given one ``valueOrderKey(frequency:region:recencyRank:index:)``
    /// per entry (whose `index` is the entry's position in `entries`).
    ///
    /// The keys are sorted, then the entries are permuted in place, cycle by cycle, with
    /// `swapAt`: elements move without being copied, so no payload is retained or released
    /// (on a 100 MB cache, copying into a new array cost a retain and a release per entry,
    /// each a cache miss on the payload's header; `statecache bench persist`).
    ///
    /// - Complexity: O(n log n).
    static func sortInValueOrder(_ entries: inout [PersistedEntry], keys: [UInt64]) {
        precondition(keys.count == entries.count, "one key per entry")
        let source = keys.sorted().map { index(inValueOrderKey: $0) }   // source[i]: the entry that goes to i
        var placed = [Bool](repeating: false, count: entries.count)
        // Swapped through the buffer: a buffer's `swapAt` moves the two elements, where the
        // array's went through copies that retained and released both payloads.
        entries.withUnsafeMutableBufferPointer { buffer in
            for start in buffer.indices where !placed[start] {
                var current = start
                while true {
                    placed[current] = true
                    let next = source[current]
                    if next == start { break }
                    buffer.swapAt(current, next)
                    current = next
                }
            }
        }
    }
}
