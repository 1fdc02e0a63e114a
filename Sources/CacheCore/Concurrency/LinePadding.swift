/// 56 bytes that hold nothing: placed between a field every lookup reads and a field every
/// write changes, it keeps the two on different 64-byte cache lines, so a write on one core
/// does not take the reader's line away from the other core (false sharing).
///
/// Swift lays a struct's stored properties out in declaration order, so a padding field
/// works as it would in C; `CacheLayoutTests` checks the resulting offsets.
@usableFromInline struct LinePadding: Sendable {
    private var words: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0)

    @usableFromInline init() {}
}
