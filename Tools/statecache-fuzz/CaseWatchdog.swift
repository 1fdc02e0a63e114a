import Foundation
import Synchronization

/// Ends the driver when one case runs too long: a hang is a failure the supervisor must see,
/// and a process stuck in a loop reports nothing by itself. A background thread looks at the
/// running case's start time every 100 ms; past the limit it prints which case hung and exits
/// with ``exitStatus``, leaving the current-case file for the supervisor to save.
final class CaseWatchdog: Sendable {
    /// The exit status of a driver stopped by its watchdog (as `timeout(1)` uses).
    static let exitStatus: Int32 = 124

    private let limit: Duration
    /// Nanoseconds since `origin` at which the running case started; -1 between cases.
    private let started = Atomic<Int64>(-1)
    private let index = Atomic<Int>(0)
    private let origin = ContinuousClock.now

    init(seconds: Double) {
        limit = .milliseconds(Int64(seconds * 1000))
        let thread = Thread { [self] in watch() }
        thread.stackSize = 1 << 16
        thread.start()
    }

    private func nanoseconds() -> Int64 {
        let elapsed = ContinuousClock.now - origin
        return elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000
    }

    /// Case `index` starts now.
    func begin(_ index: Int) {
        self.index.store(index, ordering: .relaxed)
        started.store(nanoseconds(), ordering: .releasing)
    }

    /// The running case has finished.
    func end() {
        started.store(-1, ordering: .releasing)
    }

    private func watch() {
        let limitNanoseconds = limit.components.seconds * 1_000_000_000 + limit.components.attoseconds / 1_000_000_000
        while true {
            Thread.sleep(forTimeInterval: 0.1)
            let start = started.load(ordering: .acquiring)
            if start >= 0 && nanoseconds() - start > limitNanoseconds {
                let message = "statecache-fuzz: case \(index.load(ordering: .relaxed)) still running after "
                    + "\(limit): a hang\n"
                FileHandle.standardError.write(Data(message.utf8))
                _exit(CaseWatchdog.exitStatus)
            }
        }
    }
}
