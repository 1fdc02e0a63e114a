/// A reader of the project that the fuzzer feeds: each case is for exactly one.
enum FuzzTarget: String, CaseIterable, Sendable {
    /// ZEO traces — plain, gzip or xz — through `TraceReader` and the engines of `cache-stats`
    /// and `cache-simul` (ZEO's report and a sweep of every policy); the tools on a sample.
    case trace
    /// Research traces of every `statecache convert` format, through `KeyTraceConverter`;
    /// `statecache convert` on a sample.
    case convert
    /// Cache files through `CacheFileInspector` (the reader and every checksum) and a restore
    /// through `CacheDirectory.load`; `statecache inspect` on a sample.
    case cacheFile = "cache-file"
    /// Command lines of `cache-simul` and `cache-stats` (their option space), always through the
    /// real binaries, on seed traces.
    case options

    /// The targets named in `list` (comma-separated), or nil if one is unknown.
    static func parseList(_ list: String) -> [FuzzTarget]? {
        if list == "all" { return allCases }
        let names = list.split(separator: ",").map { String($0) }
        let targets = names.compactMap(FuzzTarget.init(rawValue:))
        return targets.count == names.count && !targets.isEmpty ? targets : nil
    }
}
