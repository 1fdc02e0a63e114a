import Foundation

/// The thread a pooled connection's work runs on: a `TaskExecutor` backed by one thread the
/// library owns, so SQLite's and libpq's blocking calls never occupy Swift's cooperative pool.
///
/// A leased connection's whole `withConnection` body runs here (through
/// `withTaskExecutorPreference`), so a cache hit, a SQLite read and a commit waiting for the
/// write lock all cost no thread hop once the body started: the lease pays two hops (in and
/// out), not every call. Work that arrives from elsewhere (an actor-isolated caller) hops in
/// through ``run(_:)``.
///
/// Jobs run in arrival order, one at a time: the thread is a serial executor for the one
/// connection that uses it. ``stop()`` finishes the queued work and ends the thread.
final class ConnectionThread: TaskExecutor, @unchecked Sendable {
    private enum Work {
        case job(UnownedJob)
        case block(@Sendable () -> Void)
    }

    /// Guards `queue`, `stopping` and `threadID`; waited on by the idle thread.
    private let condition = NSCondition()
    private var queue: [Work] = []
    private var head = 0
    private var stopping = false
    private var threadID: pthread_t?
    /// Signalled when the thread has exited.
    private let exited = DispatchSemaphore(value: 0)

    /// Starts the thread; returns once it runs.
    init(name: String) {
        let thread = Thread { [self] in self.serve() }
        thread.name = name
        thread.start()
        condition.lock()
        while threadID == nil { condition.wait() }
        condition.unlock()
    }

    /// True on this executor's thread.
    var isCurrent: Bool {
        condition.lock()
        defer { condition.unlock() }
        return threadID.map { pthread_equal($0, pthread_self()) != 0 } ?? false
    }

    func enqueue(_ job: consuming ExecutorJob) {
        submit(.job(UnownedJob(job)))
    }

    /// Runs `body` on this thread and returns its result: inline when already here, otherwise
    /// after one hop (the calling task waits, it does not block a thread).
    func run<T>(_ body: () throws -> T) async throws -> T {
        if isCurrent { return try body() }
        return try await withTaskExecutorPreference(self) { try body() }
    }

    /// Runs `body` on the thread without waiting for it (shutdown work).
    func submit(_ body: @escaping @Sendable () -> Void) {
        submit(.block(body))
    }

    /// Lets the queued work finish, then ends the thread; waits for it to exit unless called
    /// from the thread itself (then it exits after the current job). Idempotent.
    func stop() {
        let fromItself = isCurrent
        condition.lock()
        let first = !stopping
        stopping = true
        condition.signal()
        condition.unlock()
        if first && !fromItself { exited.wait() }
    }

    private func submit(_ work: Work) {
        condition.lock()
        guard !stopping else {
            condition.unlock()
            // A task resumed here after the connection closed still runs, on the global executor.
            switch work {
            case .job(let job): globalConcurrentExecutor.enqueue(ExecutorJob(job))
            case .block(let body): DispatchQueue.global().async(execute: body)
            }
            return
        }
        queue.append(work)
        condition.signal()
        condition.unlock()
    }

    private func serve() {
        condition.lock()
        threadID = pthread_self()
        condition.broadcast()
        while true {
            while head == queue.count && !stopping { condition.wait() }
            if head == queue.count { break }
            let work = queue[head]
            head += 1
            if head == queue.count {
                queue.removeAll(keepingCapacity: true)
                head = 0
            }
            condition.unlock()
            switch work {
            case .job(let job): job.runSynchronously(on: asUnownedTaskExecutor())
            case .block(let body): body()
            }
            condition.lock()
        }
        condition.unlock()
        exited.signal()
    }
}
