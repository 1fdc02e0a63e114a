import CacheTrace

/// The four columns of one interval line: loads, hits, "inv(h)" and writes.
///
/// ZEO classifies each code of the interval with looser tests than its overall hit rate:
/// `code & 0x20` is a load (a hit if `0x22` or `0x26`), else `code & 0x40` a write, else
/// `code & 0x10` (except `0x10` itself, an invalidation miss) an invalidation hit. The tests
/// differ from `TraceEventCode.isLoad` only for garbage codes.
public struct IntervalCounts: Hashable, Sendable, Codable {
    /// Load records (`code & 0x20`).
    public var loads = 0
    /// Load hits among them (`0x22`, `0x26`).
    public var hits = 0
    /// Invalidations that hit the cache (the "inv(h)" column).
    public var invalidations = 0
    /// Stores (`code & 0x40`).
    public var writes = 0

    /// All zero.
    public init() {}

    /// Counts one record whose function code (`code & 0x7e`) is `function`.
    @inlinable @inline(__always)
    package mutating func count(function: UInt8) {
        if function & 0x20 != 0 {
            loads += 1
            if function == 0x22 || function == 0x26 { hits += 1 }
        } else if function & 0x40 != 0 {
            writes += 1
        } else if function & 0x10 != 0 && function != 0x10 {
            invalidations += 1
        }
    }
}
