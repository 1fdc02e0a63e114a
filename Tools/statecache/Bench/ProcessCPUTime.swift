#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The CPU time this process has used, for benchmarks that report CPU seconds next to wall
/// seconds (on a shared 2-core machine the pair shows whether a run got its cores).
enum ProcessCPUTime {
    #if canImport(Glibc)
    private static let selfWho = __rusage_who_t(RUSAGE_SELF.rawValue)
    #else
    private static let selfWho = RUSAGE_SELF
    #endif

    /// User + system CPU time of the whole process (all threads) so far, in seconds.
    static func seconds() -> Double {
        var usage = rusage()
        getrusage(selfWho, &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
            + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) * 1e-6
    }
}
