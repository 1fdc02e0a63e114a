#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CacheCore

/// A one-line progress display on standard error for runs longer than a second — shown only
/// when standard error is a terminal, so logs and pipes never see it.
///
/// ```swift
/// let progress = SimulationProgress.standardError()
/// progress.update("reading: 1,200,000 records")   // cheap; prints at most 4 times a second
/// progress.finish()                               // erases the line
/// ```
///
/// Safe to call from several threads (the sweep's workers report their tasks); the state sits
/// in CacheCore's `Locked`. Callers on a hot path should call ``update(_:)`` only every few
/// thousand items: it reads the clock.
public final class SimulationProgress: Sendable {
    private struct State {
        var lastPrint: Double = 0
        var shown = false
    }

    private let descriptor: Int32?
    private let started: Double
    private let state = Locked(State())

    /// A display on `descriptor`, or a silent one when `descriptor` is nil.
    public init(descriptor: Int32?) {
        self.descriptor = descriptor
        started = SimulationProgress.now()
    }

    /// Standard error when it is a terminal, else silent.
    public static func standardError() -> SimulationProgress {
        SimulationProgress(descriptor: isatty(STDERR_FILENO) == 1 ? STDERR_FILENO : nil)
    }

    /// A display that never prints (library callers, tests).
    public static let silent = SimulationProgress(descriptor: nil)

    /// Seconds on a monotonic clock.
    static func now() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) * 1e-9
    }

    /// Shows `message` if the run has lasted a second and the last update is 0.25 s old.
    public func update(_ message: @autoclosure () -> String) {
        guard let descriptor else { return }
        let now = SimulationProgress.now()
        guard now - started >= 1 else { return }
        let text: String? = state.withLock { state in
            guard now - state.lastPrint >= 0.25 else { return nil }
            state.lastPrint = now
            state.shown = true
            return "\r\u{1B}[K" + message() + " (\(Int(now - started)) s)"
        }
        if let text { write(text, to: descriptor) }
    }

    /// Erases the line, if anything was shown.
    public func finish() {
        guard let descriptor else { return }
        let shown = state.withLock { state -> Bool in
            defer { state.shown = false }
            return state.shown
        }
        if shown { write("\r\u{1B}[K", to: descriptor) }
    }

    private func write(_ text: String, to descriptor: Int32) {
        let bytes = Array(text.utf8)
        bytes.withUnsafeBytes { buffer in
            #if canImport(Glibc)
            _ = Glibc.write(descriptor, buffer.baseAddress, buffer.count)
            #else
            _ = Darwin.write(descriptor, buffer.baseAddress, buffer.count)
            #endif
        }
    }
}
