/// The options of `cache-simul`'s ZEO-compatible mode, which are those of ZEO's `cache_simul.py`.
public struct CircularSimulationOptions: Sendable, Hashable {
    /// The simulated file's size in bytes (`-s MB`: ZEO's `int(float(MB) * 2**20)`; default 20 MiB).
    public var limit = 20 << 20
    /// `-r`: a hit on an entry more than `rearrange × limit` bytes behind the write pointer
    /// moves it (default 0.8).
    public var rearrange = 0.8
    /// `-i`: the report interval in seconds (ZEO's rule, see
    /// `CacheStatsOptions.intervalSeconds(minutes:)`; default 15 minutes).
    public var intervalSeconds = 900

    /// ZEO's defaults.
    public init() {}

    /// ZEO's `-s` conversion: `int(float(megabytes) * 2**20)` — mebibytes, truncated.
    ///
    /// - Returns: nil for infinities and NaN (where ZEO raises).
    public static func limit(megabytes: Double) -> Int? {
        let bytes = (megabytes * 1_048_576).rounded(.towardZero)
        guard bytes.isFinite, abs(bytes) < 0x1p62 else { return nil }
        return Int(bytes)
    }
}
