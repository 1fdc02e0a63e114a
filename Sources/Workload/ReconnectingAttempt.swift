import Foundation
import StateCache

/// Runs a storage call again while the server cannot be reached, waiting longer between
/// attempts (50 ms doubling to 1 s), until a deadline: what the stress does around the calls
/// that must eventually succeed for its report to be true — opening a database, connecting,
/// settling a commit, summing the counters at the end.
///
/// Lost connections (`StorageError.Code.connectionLost`) are waited out, and so is `cannotConnect`
/// when `refusedConnections` is set (a database opened while the server restarts); any other
/// error, and the last one at the deadline, is thrown.
package struct ReconnectingAttempt {
    /// When to give up.
    package var deadline: Date
    /// Whether `cannotConnect` is waited out too (opening a database once it opened before).
    package var refusedConnections = false
    /// Failed attempts so far.
    package private(set) var failures = 0

    package init(deadline: Date, refusedConnections: Bool = false) {
        self.deadline = deadline
        self.refusedConnections = refusedConnections
    }

    /// Whether `error` is one to wait out.
    package func isWorthWaiting(_ error: any Error) -> Bool {
        switch (error as? StorageError)?.code {
        case .connectionLost?: return true
        case .cannotConnect?: return refusedConnections
        default: return false
        }
    }

    /// Waits before the next attempt, or throws `error` when that would pass the deadline.
    package mutating func wait(after error: any Error) throws {
        failures += 1
        let delay = min(1.0, 0.05 * pow(2, Double(min(failures - 1, 5))))
        guard isWorthWaiting(error), Date().addingTimeInterval(delay) < deadline else { throw error }
        Thread.sleep(forTimeInterval: delay)
    }

    /// The result of `body`, attempted until it succeeds or fails for good.
    package mutating func run<R>(_ body: () throws -> R) throws -> R {
        while true {
            do {
                return try body()
            } catch {
                try wait(after: error)
            }
        }
    }

    /// Attempts `body` until `seconds` from now (see ``run(_:)``).
    package static func run<R>(for seconds: Double, refusedConnections: Bool = false, _ body: () throws -> R) throws -> R {
        var attempt = ReconnectingAttempt(deadline: Date().addingTimeInterval(seconds), refusedConnections: refusedConnections)
        return try attempt.run(body)
    }
}
