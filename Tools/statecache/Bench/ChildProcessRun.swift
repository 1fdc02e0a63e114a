#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// One run of another program, for benchmarks that put a whole tool beside another (our
/// `cache-stats` beside ZEO's `cache_stats.py`): its wall time and the CPU time it used.
///
/// The CPU time is the kernel's account of the waited-for child (user + system, the growth of
/// `RUSAGE_CHILDREN` across the run): on a machine shared with other work it moves far less
/// than the wall time. Standard output goes to `/dev/null`.
struct ChildProcessRun {
    /// Wall-clock seconds from launch to exit.
    let wallSeconds: Double
    /// User + system CPU seconds of the child.
    let cpuSeconds: Double
    /// Its exit status.
    let status: Int32

    /// Runs `executable` with `arguments` and waits for it.
    static func run(_ executable: String, _ arguments: [String]) throws -> ChildProcessRun {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        let cpuBefore = childrenCPUSeconds()
        let started = ContinuousClock.now
        try process.run()
        process.waitUntilExit()
        let wall = started.duration(to: .now).seconds
        return ChildProcessRun(wallSeconds: wall, cpuSeconds: childrenCPUSeconds() - cpuBefore,
                               status: process.terminationStatus)
    }

    /// User + system CPU time of every child waited for so far.
    private static func childrenCPUSeconds() -> Double {
        var usage = rusage()
        #if canImport(Glibc)
        getrusage(__rusage_who_t(RUSAGE_CHILDREN.rawValue), &usage)
        #else
        getrusage(RUSAGE_CHILDREN, &usage)
        #endif
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
            + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) * 1e-6
    }
}
