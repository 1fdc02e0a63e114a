#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// Ctrl-C while reading: like ZEO, stop and report what was read so far.
enum Interruption {
    /// Set by the SIGINT handler; read between chunks of records.
    private static let flag = Atomic<Bool>(false)

    /// Installs the SIGINT handler (once, before reading).
    static func install() {
        _ = flag.load(ordering: .relaxed) // initialise the static before the handler can run
        signal(SIGINT) { _ in
            Interruption.flag.store(true, ordering: .relaxed)
            signal(SIGINT, SIG_DFL) // a second Ctrl-C ends the process at once
        }
    }

    /// Whether Ctrl-C was pressed.
    static func requested() -> Bool {
        flag.load(ordering: .relaxed)
    }
}
