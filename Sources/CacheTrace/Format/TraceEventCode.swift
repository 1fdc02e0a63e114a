/// The code byte of a trace record: which cache operation happened and how it ended.
///
/// The byte packs three fields (ZEO's trace tools):
/// - `0x80`: the *version* flag (a ZODB version string was involved; ZODB 5+ never sets it);
/// - `0x7e`: the operation and its outcome. The high hex digit is the operation (0 setup,
///   1 invalidate, 2 load, 5 store), the low digit the outcome: `0 2 4 6 8` a miss,
///   `A C E` a hit;
/// - `0x01`: the obsolete "current cache file" bit of the two-file cache before ZODB 3.3.
///
/// Readers classify by ``function`` (`code & 0x7e`). A garbage record (a torn trace read out of
/// alignment) can carry any byte, so this is a struct rather than a closed enum; the named
/// constants are the codes ZEO and StateCache write.
public struct TraceEventCode: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The whole code byte, flags included.
    public var rawValue: UInt8

    /// Wraps a code byte.
    @inlinable public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// Wraps a code byte.
    @inlinable public init(_ rawValue: UInt8) { self.rawValue = rawValue }

    // MARK: The codes

    /// `0x00` — the cache was opened (a client restart). Empty oid, zero tids, no data.
    /// StateCache writes it when a cache with tracing opens (``TraceWriter/writeRestart(timestamp:)``).
    public static let restart = TraceEventCode(0x00)
    /// `0x10` — an invalidation for an object the cache did not hold. StateCache writes it, once
    /// per change per process, when the shared cache held no state of the object.
    public static let invalidateMiss = TraceEventCode(0x10)
    /// `0x1A` — an invalidation of version data (obsolete; never written by ZEO 5+).
    public static let invalidateHitVersion = TraceEventCode(0x1A)
    /// `0x1C` — an invalidation that turned cached current data into non-current data;
    /// `tid` is the invalidating transaction. StateCache writes it, once per change per process
    /// (the first view to learn of it, or the committing one), when the shared cache held a state
    /// of the object.
    public static let invalidateHitSavingNonCurrent = TraceEventCode(0x1C)
    /// `0x1E` — an invalidation that discarded cached data (ZEO's verification after a reconnect).
    public static let invalidateHitDiscarding = TraceEventCode(0x1E)
    /// `0x20` — a load that missed the cache. StateCache writes it for every load miss.
    public static let loadMiss = TraceEventCode(0x20)
    /// `0x22` — a load served from the cache; `tid` is the data's start tid, the data length is set.
    public static let loadHit = TraceEventCode(0x22)
    /// `0x24` — a load of a non-current revision (`loadBefore`) that missed; `endTid` is the bound.
    /// StateCache never writes it: a view asks for the state current as of its snapshot.
    public static let loadNonCurrentMiss = TraceEventCode(0x24)
    /// `0x26` — a load of a non-current revision served from the cache. StateCache never writes it.
    public static let loadNonCurrentHit = TraceEventCode(0x26)
    /// `0x50` — a store of version data (obsolete).
    public static let storeVersion = TraceEventCode(0x50)
    /// `0x52` — current data stored in the cache; `tid` is its start tid, the data length is set.
    public static let storeCurrent = TraceEventCode(0x52)
    /// `0x54` — non-current data stored in the cache; `tid`/`endTid` bound its validity.
    /// StateCache never writes it: every entry is a state current as of its key's TID.
    public static let storeNonCurrent = TraceEventCode(0x54)

    /// Every code with a meaning, in numeric order (the rows of ZEO's `explain` table).
    public static let known: [TraceEventCode] = [
        .restart, .invalidateMiss, .invalidateHitVersion, .invalidateHitSavingNonCurrent,
        .invalidateHitDiscarding, .loadMiss, .loadHit, .loadNonCurrentMiss, .loadNonCurrentHit,
        .storeVersion, .storeCurrent, .storeNonCurrent,
    ]

    // MARK: Fields

    /// The version flag (`0x80`).
    @inlinable public var hasVersionFlag: Bool { rawValue & 0x80 != 0 }

    /// The operation and outcome (`code & 0x7e`): what every reader classifies by.
    @inlinable public var function: TraceEventCode { TraceEventCode(rawValue & 0x7E) }

    /// A load of any kind (`code & 0x70 == 0x20`), hit or miss, current or not.
    @inlinable public var isLoad: Bool { rawValue & 0x70 == 0x20 }

    /// A load served from the cache (`0x22` or `0x26`, flags ignored).
    @inlinable public var isLoadHit: Bool {
        let function = rawValue & 0x7E
        return function == 0x22 || function == 0x26
    }

    /// A store of any kind (`code & 0x70 == 0x50`).
    @inlinable public var isStore: Bool { rawValue & 0x70 == 0x50 }

    /// `0x` and two hex digits.
    public var description: String {
        let digits = String(rawValue, radix: 16)
        return "0x" + (digits.count < 2 ? "0" + digits : digits)
    }

    @inlinable public static func < (lhs: TraceEventCode, rhs: TraceEventCode) -> Bool {
        lhs.rawValue < rhs.rawValue
    }
}
