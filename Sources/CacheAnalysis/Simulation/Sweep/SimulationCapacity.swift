import CacheCore

/// How big a simulated cache is, and so how much each state weighs in it.
///
/// - ``bytes(_:)``: a byte bound, as the real cache counts it (`docs/cache.md`): an entry weighs its
///   state's length plus `CacheOptions.entryOverhead` (160 bytes), and a state of
///   `cacheLocalObjectMax` (16,384) bytes or more is not cached at all. `-s 20` is
///   `20 × 10⁶` bytes, the meaning of `cacheLocalMB`.
/// - ``entries(_:)``: an entry bound; every state weighs 1 (research traces, `--entries`).
public enum SimulationCapacity: Sendable, Hashable, Comparable, CustomStringConvertible {
    case bytes(Int)
    case entries(Int)

    /// The real cache's limit on a cacheable state (`cacheLocalObjectMax`'s default).
    public static let objectMax = CacheOptions().cacheLocalObjectMax
    /// The heaviest cacheable entry: byte bounds below this cannot hold every cacheable state.
    public static let minimumBytes = objectMax - 1 + CacheOptions.entryOverhead

    /// A byte bound of `megabytes × 10⁶` bytes (truncated), as `cacheLocalMB` is read.
    public static func megabytes(_ megabytes: Double) -> SimulationCapacity {
        .bytes(Int((megabytes * 1_000_000).rounded(.down)))
    }

    /// The bound in weight units.
    public var limit: Int {
        switch self {
        case .bytes(let bytes): return bytes
        case .entries(let entries): return entries
        }
    }

    /// Whether weights are bytes.
    public var isBytes: Bool {
        if case .bytes = self { return true }
        return false
    }

    /// The weight of a state of `size` bytes, or −1 when it is not cached at all.
    @inline(__always) package func weight(size: Int32) -> Int {
        switch self {
        case .bytes:
            return Int(size) < SimulationCapacity.objectMax ? Int(size) + CacheOptions.entryOverhead : -1
        case .entries:
            return 1
        }
    }

    /// `20 MB` (10⁶ bytes, up to three decimals) or `1,000 entries`.
    public var description: String {
        switch self {
        case .bytes(let bytes): return SimulationCapacity.megabytesLabel(bytes) + " MB"
        case .entries(let entries): return ThousandsSeparator.format(entries) + " entries"
        }
    }

    /// `bytes / 10⁶` without trailing zeros: `20`, `0.5`, `1.234`.
    package static func megabytesLabel(_ bytes: Int) -> String {
        var text = CFormat.fixed(Double(bytes) / 1_000_000, precision: 3)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text
    }

    public static func < (lhs: SimulationCapacity, rhs: SimulationCapacity) -> Bool {
        switch (lhs, rhs) {
        case (.bytes(let a), .bytes(let b)), (.entries(let a), .entries(let b)): return a < b
        case (.entries, .bytes): return true
        case (.bytes, .entries): return false
        }
    }
}
