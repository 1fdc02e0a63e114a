import CacheCore
import Foundation
import XCTest
@testable import SQLiteStorage

/// Three processes × two threads commit and read one database for a few seconds; afterwards
/// the parent replays what every thread logged against what every thread committed.
///
/// Each state encodes `(oid, version)`. Counters are read, incremented and written back with
/// the TID they were read at (conflicts are retried); new objects are created with OIDs from
/// the shared allocator. The checks:
/// - **no lost update**: per object, the versions ordered by commit TID are consecutive, and
///   the counters' final versions add up to the number of successful increments;
/// - **unique TIDs and OIDs** across all processes;
/// - **snapshot reads**: every load equals the newest committed version at or before the
///   reader's snapshot (or nothing, before the object existed);
/// - **exact polls**: every change list equals the newest TID in `(previous, new]` of every
///   object committed there, and own commits are reported once, by their committer.
final class StorageMultiProcessStressTests: StorageTestCase {
    private enum Variable {
        static let directory = "STATECACHE_STORAGE_WORKER_DIRECTORY"
        static let log = "STATECACHE_STORAGE_WORKER_LOG"
        static let counters = "STATECACHE_STORAGE_WORKER_COUNTERS"
        static let seconds = "STATECACHE_STORAGE_WORKER_SECONDS"
    }

    private static let processes = 3
    private static let threadsPerProcess = 2
    private static let workSeconds = 3.0
    private static let counterCount = 6

    func testProcessesCommitAndReadConsistently() throws {
        let store = try openStore()
        defer { store.close() }
        let counters = try store.newOIDs(count: Self.counterCount)
        let setup = try store.connect()
        for oid in counters { setup.store(oid, TestState.make(oid, version: 0), expecting: nil) }
        let setupTID = try setup.commit()
        setup.close()

        let logDirectory = directory.appendingPathComponent("logs")
        try FileManager.default.createDirectory(at: logDirectory, withIntermediateDirectories: true)
        let children = try (0..<Self.processes).map { index in
            try ChildTestProcess(
                test: "SQLiteStorageTests.StorageMultiProcessStressTests/testWorkerProcess",
                environment: [Variable.directory: databaseURL.path,
                              Variable.log: logDirectory.appendingPathComponent("p\(index)").path,
                              Variable.counters: counters.map { String($0.rawValue) }.joined(separator: ","),
                              Variable.seconds: String(Self.workSeconds)],
                output: logDirectory.appendingPathComponent("p\(index).out"))
        }
        let started = ContinuousClock.now
        let deadline = started + .seconds(50)
        for (index, child) in children.enumerated() {
            XCTAssertTrue(child.wait(until: deadline), "worker \(index) timed out:\n\(child.outputTail())")
            XCTAssertTrue(child.succeeded, "worker \(index) failed:\n\(child.outputTail())")
            XCTAssertTrue(child.outputTail(100_000).contains("Executed 1 test"), "worker \(index) did not run")
        }
        guard children.allSatisfy(\.succeeded) else { return }
        let workersDone = ContinuousClock.now

        var logs: [WorkerLog] = []
        for process in 0..<Self.processes {
            for thread in 0..<Self.threadsPerProcess {
                let url = logDirectory.appendingPathComponent("p\(process)-t\(thread).log")
                logs.append(try WorkerLog(parsing: String(contentsOf: url, encoding: .utf8), name: "p\(process)-t\(thread)"))
            }
        }
        try verify(logs: logs, counters: counters, setupTID: setupTID, store: store)
        print("multi-process stress: \(logs.reduce(0) { $0 + $1.commits.count }) commits, "
              + "\(logs.reduce(0) { $0 + $1.reads.count }) reads, \(logs.reduce(0) { $0 + $1.polls.count }) polls; "
              + "workers \(workersDone - started), verification \(ContinuousClock.now - workersDone)")
    }

    /// Replays the logs: see the class comment for what is checked.
    private func verify(logs: [WorkerLog], counters: [ObjectID], setupTID: TransactionID, store: SQLiteObjectStore) throws {
        // The committed history: per object, (tid, version) ascending by TID.
        var history: [ObjectID: [(tid: TransactionID, version: UInt64)]] = [:]
        for oid in counters { history[oid] = [(setupTID, 0)] }
        var allTIDs: [TransactionID] = [setupTID]
        var allocated: [ObjectID] = counters
        var increments = 0
        for log in logs {
            XCTAssertEqual(log.commits.map(\.tid), log.commits.map(\.tid).sorted(), "\(log.name): TIDs increase")
            for commit in log.commits {
                allTIDs.append(commit.tid)
                for (oid, version) in commit.writes {
                    history[oid, default: []].append((commit.tid, version))
                    if counters.contains(oid) { increments += 1 }
                }
            }
            allocated += log.allocated
        }
        XCTAssertEqual(Set(allTIDs).count, allTIDs.count, "a TID was used twice")
        XCTAssertEqual(Set(allocated).count, allocated.count, "an OID was allocated twice")
        XCTAssertGreaterThan(logs.reduce(0) { $0 + $1.commits.count }, Self.processes * Self.threadsPerProcess,
                             "every thread committed something")

        // No lost update: consecutive versions per object, in TID order.
        for (oid, entries) in history {
            let sorted = entries.sorted { $0.tid < $1.tid }
            history[oid] = sorted
            let first = sorted[0].version
            if let gap = sorted.indices.first(where: { sorted[$0].version != first + UInt64($0) }) {
                XCTFail("\(oid): version \(sorted[gap].version) at TID \(sorted[gap].tid), expected \(first + UInt64(gap)) — a lost update")
            }
        }
        let reader = try store.connect()
        defer { reader.close() }
        let final = try reader.poll()
        XCTAssertEqual(final.newTID, allTIDs.max())
        var counterTotal: UInt64 = 0
        for (oid, entries) in history {
            let loaded = try XCTUnwrap(reader.load(oid), "\(oid)")
            XCTAssertEqual(loaded.tid, entries.last!.tid, "\(oid): final TID")
            XCTAssertEqual(TestState.decode(loaded.state)?.version, entries.last!.version, "\(oid): final state")
            if counters.contains(oid) { counterTotal += entries.last!.version }
        }
        XCTAssertEqual(counterTotal, UInt64(increments), "the counters add up to the successful increments")
        XCTAssertEqual(try store.objectCount(), history.count)

        /// The newest committed (tid, version) of `oid` at or before `snapshot` (binary search).
        func committed(_ oid: ObjectID, at snapshot: TransactionID) -> (tid: TransactionID, version: UInt64)? {
            guard let entries = history[oid] else { return nil }
            var low = 0, high = entries.count // first index with tid > snapshot
            while low < high {
                let middle = (low + high) / 2
                if entries[middle].tid <= snapshot { low = middle + 1 } else { high = middle }
            }
            return low == 0 ? nil : entries[low - 1]
        }
        /// Every commit, ascending by TID: a poll's expected changes are the objects written
        /// by the commits in its range, each with the last TID that wrote it there.
        let commits = ([(tid: setupTID, oids: counters)] + logs.flatMap { $0.commits.map { (tid: $0.tid, oids: $0.writes.map(\.0)) } })
            .sorted { $0.tid < $1.tid }
        func firstCommit(after tid: TransactionID) -> Int {
            var low = 0, high = commits.count
            while low < high {
                let middle = (low + high) / 2
                if commits[middle].tid <= tid { low = middle + 1 } else { high = middle }
            }
            return low
        }
        var reads = 0, polls = 0
        for log in logs {
            for read in log.reads {
                let expected = committed(read.oid, at: read.snapshot)
                XCTAssertEqual(read.found?.tid, expected?.tid, "\(log.name): \(read.oid) at \(read.snapshot)")
                XCTAssertEqual(read.found?.version, expected?.version, "\(log.name): \(read.oid) at \(read.snapshot)")
                reads += 1
            }
            let ownTIDs = Set(log.commits.map(\.tid))
            var reportedOwn: [TransactionID] = []
            for poll in log.polls {
                reportedOwn += poll.own
                for tid in poll.own {
                    XCTAssertTrue(ownTIDs.contains(tid), "\(log.name): \(tid) reported as own")
                    XCTAssertTrue(tid <= poll.new && (poll.previous.map { tid > $0 } ?? true), "\(log.name): own \(tid) outside its poll")
                }
                guard let previous = poll.previous, let changes = poll.changes else { continue }
                var newest: [ObjectID: TransactionID] = [:]
                for commit in commits[firstCommit(after: previous)..<firstCommit(after: poll.new)] {
                    for oid in commit.oids { newest[oid] = commit.tid }
                }
                let expected = newest.map { ObjectChange(oid: $0.key, tid: $0.value) }
                    .sorted { ($0.tid, $0.oid) < ($1.tid, $1.oid) }
                XCTAssertEqual(changes, expected, "\(log.name): poll (\(previous), \(poll.new)]")
                polls += 1
            }
            XCTAssertEqual(Set(reportedOwn).count, reportedOwn.count, "\(log.name): an own commit reported twice")
            let lastPoll = log.polls.last?.new ?? .zero
            XCTAssertEqual(Set(reportedOwn), ownTIDs.filter { $0 <= lastPoll }, "\(log.name): own commits reported")
        }
        XCTAssertGreaterThan(reads, 100)
        XCTAssertGreaterThan(polls, 10)
    }

    // MARK: - The worker

    /// The work of one child process; a no-op unless started by the test above.
    func testWorkerProcess() throws {
        let environment = ProcessInfo.processInfo.environment
        guard let directory = environment[Variable.directory], let logPrefix = environment[Variable.log],
              let counterList = environment[Variable.counters],
              let seconds = environment[Variable.seconds].flatMap(Double.init) else { return }
        let counters = counterList.split(separator: ",").compactMap { UInt64($0) }.map(ObjectID.init(rawValue:))
        let store = try SQLiteObjectStore.open(at: URL(fileURLWithPath: directory), options: SQLiteStorageOptions())
        defer { store.close() }
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        try runOnThreads(Self.threadsPerProcess) { thread in
            let text = try Self.work(store: store, counters: counters, seed: UInt64(getpid()) << 8 | UInt64(thread),
                                     until: deadline)
            try text.write(toFile: "\(logPrefix)-t\(thread).log", atomically: true, encoding: .utf8)
        }
    }

    /// One worker thread: poll, read, increment, create — until `deadline`. Returns its log.
    private static func work(store: SQLiteObjectStore, counters: [ObjectID], seed: UInt64,
                             until deadline: ContinuousClock.Instant) throws -> String {
        var random = SplitMix64(seed: seed)
        let connection = try store.connect()
        defer { connection.close() }
        var log = ""
        var created: [ObjectID] = []
        func logRead(_ snapshot: TransactionID, _ oid: ObjectID, _ value: ObjectState?) throws {
            if let value {
                guard let decoded = TestState.decode(value.state), decoded.oid == oid else {
                    throw TestFailure("\(oid) holds a state that is not its own")
                }
                log += "R \(snapshot.rawValue) \(oid.rawValue) \(value.tid.rawValue) \(decoded.version)\n"
            } else {
                log += "R \(snapshot.rawValue) \(oid.rawValue) -\n"
            }
        }
        while ContinuousClock.now < deadline {
            let poll = try connection.poll()
            let changes = poll.changes.map { $0.map { "\($0.oid.rawValue):\($0.tid.rawValue)" }.joined(separator: " ") } ?? "?"
            log += "P \(poll.previousTID.map { String($0.rawValue) } ?? "-") \(poll.newTID.rawValue) "
                + "\(poll.ownCommits.map { String($0.rawValue) }.joined(separator: ",")) | \(changes)\n"

            // Reads: all counters in one query, a few single loads (some of objects created by
            // this thread, one that may not exist yet).
            let many = try connection.load(many: counters)
            for oid in counters { try logRead(poll.newTID, oid, many[oid]) }
            for _ in 0..<3 {
                let oid = created.isEmpty || random.next() % 2 == 0
                    ? counters[Int(random.next() % UInt64(counters.count))]
                    : created[Int(random.next() % UInt64(created.count))]
                try logRead(poll.newTID, oid, try connection.load(oid))
            }

            // A transaction: increment one or two counters read in this snapshot, maybe create.
            var writes: [(ObjectID, UInt64)] = []
            for _ in 0..<(1 + Int(random.next() % 2)) {
                let oid = counters[Int(random.next() % UInt64(counters.count))]
                guard !writes.contains(where: { $0.0 == oid }), let current = many[oid],
                      let version = TestState.decode(current.state)?.version else { continue }
                connection.store(oid, TestState.make(oid, version: version + 1, padding: 40), expecting: current.tid)
                writes.append((oid, version + 1))
            }
            var new: [ObjectID] = []
            if random.next() % 3 == 0 {
                new = try store.newOIDs(count: 1 + Int(random.next() % 2))
                log += "A \(new.map { String($0.rawValue) }.joined(separator: " "))\n"
                for oid in new {
                    connection.store(oid, TestState.make(oid, version: 1, padding: 200), expecting: nil)
                    writes.append((oid, 1))
                }
            }
            let tid: TransactionID
            do throws(StorageError) {
                tid = try connection.commit()
            } catch {
                // A conflict means another thread won the race: the next poll brings its versions.
                guard error.code == .conflict else { throw error }
                continue
            }
            log += "C \(tid.rawValue) \(writes.map { "\($0.0.rawValue):\($0.1)" }.joined(separator: " "))\n"
            created += new
        }
        return log
    }
}

/// What one worker thread logged.
private struct WorkerLog {
    struct Commit { var tid: TransactionID; var writes: [(ObjectID, UInt64)] }
    struct Read { var snapshot: TransactionID; var oid: ObjectID; var found: (tid: TransactionID, version: UInt64)? }
    struct Poll { var previous: TransactionID?; var new: TransactionID; var own: [TransactionID]; var changes: [ObjectChange]? }

    let name: String
    var commits: [Commit] = []
    var reads: [Read] = []
    var polls: [Poll] = []
    var allocated: [ObjectID] = []

    init(parsing text: String, name: String) throws {
        self.name = name
        func number(_ text: Substring) throws -> UInt64 {
            guard let value = UInt64(text) else { throw TestFailure("\(name): bad number '\(text)'") }
            return value
        }
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: false)
            switch fields.first {
            case "C":
                let writes = try fields.dropFirst(2).map { pair -> (ObjectID, UInt64) in
                    let parts = pair.split(separator: ":")
                    return (ObjectID(try number(parts[0])), try number(parts[1]))
                }
                commits.append(Commit(tid: TransactionID(try number(fields[1])), writes: writes))
            case "R":
                let found = fields[3] == "-" ? nil : (tid: TransactionID(try number(fields[3])), version: try number(fields[4]))
                reads.append(Read(snapshot: TransactionID(try number(fields[1])), oid: ObjectID(try number(fields[2])), found: found))
            case "P":
                let previous = fields[1] == "-" ? nil : TransactionID(try number(fields[1]))
                let own = try fields[3].split(separator: ",").map { TransactionID(try number($0)) }
                let rest = fields.dropFirst(5)
                let changes: [ObjectChange]? = rest.first == "?" ? nil : try rest.filter { !$0.isEmpty }.map { pair in
                    let parts = pair.split(separator: ":")
                    return ObjectChange(oid: ObjectID(try number(parts[0])), tid: TransactionID(try number(parts[1])))
                }
                polls.append(Poll(previous: previous, new: TransactionID(try number(fields[2])), own: own, changes: changes))
            case "A":
                allocated += try fields.dropFirst().map { ObjectID(try number($0)) }
            default:
                throw TestFailure("\(name): unexpected log line '\(line)'")
            }
        }
    }
}

