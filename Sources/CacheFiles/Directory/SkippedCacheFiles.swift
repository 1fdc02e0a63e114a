import CacheCore

/// The paths this process has already warned about as skipped cache files (unreadable, or not
/// files at all), so that each is warned about once rather than at every open and close.
enum SkippedCacheFiles {
    private static let warned = Locked<Set<String>>([])

    /// True the first time `path` is passed, false afterwards.
    static func isFirstWarning(about path: String) -> Bool {
        warned.withLock { $0.insert(path).inserted }
    }
}
