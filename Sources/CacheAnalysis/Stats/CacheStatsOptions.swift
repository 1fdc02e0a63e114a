import CacheTrace

/// The options of `cache-stats`, which are those of ZEO's `cache_stats.py` plus `--json`.
public struct CacheStatsOptions: Sendable, Hashable {
    /// `-v`: print every record.
    public var verbose = false
    /// `-q`: no interval, restart or "Skipping" lines. Also changes how a damaged trace is
    /// parsed, exactly as in ZEO (see ``misalignmentRecovery``).
    public var quiet = false
    /// `-s`: append the object-size histograms.
    public var sizeHistograms = false
    /// Print the statistics block (`-S` turns it off).
    public var statistics = true
    /// `-h`: append the load-frequency histogram.
    public var loadHistogram = false
    /// `-X`: accepted and ignored, as in ZEO (its "heuristic check" was never implemented).
    public var check = false
    /// `-i`: the interval of the interval lines, in seconds (1…3600; see `intervalSeconds(minutes:)`).
    public var intervalSeconds = 900
    /// `--json`: print a machine-readable summary instead of the text report.
    public var json = false

    /// The defaults (ZEO's): statistics, 15-minute intervals, nothing else.
    public init() {}

    /// How zero-timestamp headers are stepped over: ZEO's `cache_stats` backs up to 8 bytes
    /// after the header's start, except with `-q`, where its seek is skipped (it sits inside
    /// the `if not quiet` branch) and reading goes on after the 26-byte header. We keep that
    /// quirk so `-q` counts exactly what ZEO counts.
    public var misalignmentRecovery: MisalignmentRecovery {
        quiet ? .skipHeader : .skipEightBytes
    }

    /// ZEO's interval rule: `int(60 * minutes)` seconds, truncated; 0 or less becomes 60,
    /// more than 3600 becomes 3600 (`-i 0` = 1 min, `-i 0.5` = 30 s, `-i 0.05` = 3 s,
    /// `-i 61` = 60 min).
    ///
    /// - Returns: nil for infinities and NaN (Python fails on them).
    package static func intervalSeconds(minutes: Double) -> Int? {
        let seconds = (60 * minutes).rounded(.towardZero)
        guard seconds.isFinite else { return nil }
        if seconds <= 0 { return 60 }
        if seconds > 3600 { return 3600 }
        return Int(seconds)
    }
}
