/// The key-sequence formats of the caching literature that `statecache convert` reads (the
/// formats of Caffeine's simulator; `reference/wtinylfu.md` §7).
public enum KeyTraceFormat: String, Sendable, CaseIterable {
    /// One decimal key per line; `*` lines (the LIRS tool's checkpoints) are skipped.
    case lirs
    /// ARC's traces: `start count ignored ignored` per line = the keys `start … start+count−1`.
    case arc
    /// cache2k's traces: a stream of big-endian 32-bit signed integers, one key each.
    case cache2k
    /// Address traces: `op 0xADDR n` per line; the key is the hexadecimal address.
    case address

    /// Whether the format is lines of text (else binary).
    public var isText: Bool { self != .cache2k }
}
