import CacheCore
import CacheViews
import Foundation
import StateCache
import StateCacheThreaded

/// One thread of ``ConsistencyStress``: its connection, its random choices and its report.
///
/// It rides out a server that goes away: a lost connection abandons the iteration (nothing of
/// it was written) and the next poll reconnects, waiting longer between attempts while the
/// server is down. A commit whose outcome is unknown (the session was lost during `COMMIT`)
/// is settled by reading back the thread's receipt — an object only this thread writes, stored
/// in every commit with the commit's sequence number — so the increments it made are counted
/// if and only if it landed. Whatever ends the thread, its counts so far are reported.
final class ConsistencyStressThread {
    private let db: Database
    private let objects: [ObjectID]
    private let options: ConsistencyStress.Options
    private let deadline: Date
    private let name: String
    private var generator: SplitMix64
    private var report = ConsistencyStress.Report()
    private var connection: Connection?
    /// The thread's receipt object, its TID and its counter (the number of commits landed).
    private var receipt: (oid: ObjectID, tid: TransactionID, counter: UInt64)?
    /// Set by a lost connection, cleared by the next successful poll.
    private var disconnected = false
    /// Waits between reconnection attempts; reset by each successful poll.
    private var reconnecting: ReconnectingAttempt

    init(db: Database, objects: [ObjectID], options: ConsistencyStress.Options, seed: UInt64, deadline: Date, name: String) {
        self.db = db
        self.objects = objects
        self.options = options
        self.deadline = deadline
        self.name = name
        generator = SplitMix64(seed: seed)
        reconnecting = ReconnectingAttempt(deadline: deadline.addingTimeInterval(options.reconnectSeconds))
    }

    /// Runs until the deadline and returns what the thread did; a thread that fails for good
    /// (an error that is not a lost connection, or a server gone for longer than
    /// `reconnectSeconds`) is counted in `failedThreads`, with its counts up to then.
    func run() -> ConsistencyStress.Report {
        do {
            let connection = try ReconnectingAttempt.run(for: options.reconnectSeconds) { try db.connect() }
            self.connection = connection
            defer { connection.close() }
            if options.receipts { try createReceipt(on: connection) }
            while Date() < deadline {
                do {
                    try iteration(on: connection)
                } catch let error as StorageError where error.code == .connectionLost {
                    // Nothing of the iteration was written; the next poll reconnects.
                    connection.abort()
                    lost(error)
                    try reconnecting.wait(after: error)
                } catch let error as StorageError where error.isRetryable {
                    // Conflicts are counted where they happen; a lock timeout or SQLite's busy
                    // timeout only costs the iteration.
                    connection.abort()
                } catch let error as StorageError where error.code == .commitOutcomeUnknown {
                    report.unknownCommits += 1
                    lost(Self.sessionLoss(error))
                    try settle(on: connection)
                }
            }
            report.views = connection.stats
        } catch {
            report.failedThreads += 1
            report.problems.append("\(name): \(error)")
            if let connection { report.views = connection.stats }
        }
        return report
    }

    /// A commit of unknown outcome seen as what it also is, a lost session: waited out and
    /// counted like one.
    private static func sessionLoss(_ error: StorageError) -> StorageError {
        StorageError(.connectionLost, error.message, location: error.location, backendDetail: error.backendDetail)
    }

    /// Counts a lost connection once, however many attempts the reconnection takes.
    private func lost(_ error: StorageError) {
        guard error.code == .connectionLost, !disconnected else { return }
        disconnected = true
        report.lostConnections += 1
    }

    /// Polls, counting a reconnection when the connection had been lost.
    private func poll(_ connection: Connection) throws {
        try connection.poll()
        if disconnected {
            disconnected = false
            report.reconnections += 1
        }
        reconnecting = ReconnectingAttempt(deadline: deadline.addingTimeInterval(options.reconnectSeconds))
    }

    private func problem(_ text: String) {
        report.mismatches += 1
        if report.problems.count < 5 { report.problems.append(text) }
    }

    private func randomOID() -> ObjectID {
        // Skewed: a quarter of the objects get most of the traffic.
        let hot = generator.next() % 4 != 0
        let range = UInt64(hot ? max(1, objects.count / 4) : objects.count)
        return objects[Int(generator.next() % range)]
    }

    /// One poll, checked reads, and sometimes a commit of one to three increments.
    private func iteration(on connection: Connection) throws {
        try poll(connection)
        // Reads: every cached answer against the storage's own, same snapshot.
        do {
            for _ in 0..<10 {
                let oid = randomOID()
                let cached = try connection.load(oid)
                let direct = try connection.storage.load(oid)
                report.checkedLoads += 1
                for (source, found) in [("cached", cached), ("storage", direct)] {
                    if let found, let wrong = ConsistencyStress.verify(found.state, oid: oid, tid: found.tid) {
                        problem("\(source): \(wrong)")
                    }
                }
                if cached?.state != direct?.state || cached?.tid != direct?.tid {
                    problem("\(oid) at \(connection.snapshotTID?.rawValue ?? 0): cached \(cached?.tid.rawValue ?? 0), storage \(direct?.tid.rawValue ?? 0)")
                }
            }
            let batch = (0..<5).map { _ in randomOID() }
            let many = try connection.load(many: batch)
            for oid in Set(batch) {
                let direct = try connection.storage.load(oid)
                report.checkedLoads += 1
                if let found = many[oid], let wrong = ConsistencyStress.verify(found.state, oid: oid, tid: found.tid) {
                    problem("load(many:): \(wrong)")
                }
                if many[oid]?.state != direct?.state || many[oid]?.tid != direct?.tid {
                    problem("\(oid) in load(many:) at \(connection.snapshotTID?.rawValue ?? 0)")
                }
            }
        } catch let error as CacheViewError {
            report.consistencyErrors += 1
            problem("consistency error: \(error)")
            return
        }
        // Writes: increment one to three counters.
        guard Double(generator.next() % 1000) / 1000 < options.writeFraction else { return }
        let targets = Set((0..<(1 + Int(generator.next() % 3))).map { _ in randomOID() })
        for oid in targets {
            guard let current = try connection.load(oid) else { problem("\(oid) vanished"); continue }
            connection.store(oid, ConsistencyStress.state(oid: oid, counter: ConsistencyStress.counter(in: current.state) + 1,
                                                          basedOn: current.tid),
                             expecting: current.tid)
        }
        if let receipt {
            connection.store(receipt.oid, ConsistencyStress.state(oid: receipt.oid, counter: receipt.counter + 1, basedOn: receipt.tid),
                             expecting: receipt.tid)
        }
        pendingIncrements = targets.count
        do {
            let tid = try connection.commit()
            report.increments += targets.count
            if let old = receipt { receipt = (old.oid, tid, old.counter + 1) }
        } catch StorageError.Code.conflict {
            report.conflicts += 1
        }
        pendingIncrements = 0
    }

    /// The increments of the commit under way (to count if a commit of unknown outcome landed).
    private var pendingIncrements = 0

    /// Creates the receipt (counter 0) in a commit of its own. Its outcome, if unknown, is
    /// settled by committing again: a conflict means the object exists, so the first landed.
    private func createReceipt(on connection: Connection) throws {
        let oid = try ReconnectingAttempt.run(for: options.reconnectSeconds) { try db.newOID() }
        var attempt = ReconnectingAttempt(deadline: deadline.addingTimeInterval(options.reconnectSeconds))
        while true {
            do {
                try poll(connection)
                connection.store(oid, ConsistencyStress.state(oid: oid, counter: 0), expecting: nil)
                _ = try connection.commit()
                break
            } catch StorageError.Code.conflict {
                break
            } catch let error as StorageError {
                connection.abort()
                guard error.code == .commitOutcomeUnknown else { try attempt.wait(after: error); continue }
                try attempt.wait(after: Self.sessionLoss(error))
            }
        }
        let tid = try attempt.run { () throws -> TransactionID in
            try poll(connection)
            guard let state = try connection.storage.load(oid) else { throw StressFailure("\(name): its receipt \(oid) is missing") }
            return state.tid
        }
        receipt = (oid, tid, 0)
    }

    /// Learns whether the commit that just failed with an unknown outcome landed: reconnects,
    /// reads the receipt and counts the increments when its counter moved on.
    private func settle(on connection: Connection) throws {
        connection.abort()
        let increments = pendingIncrements
        pendingIncrements = 0
        guard let expected = receipt else {
            throw StressFailure("\(name): a commit's outcome is unknown and there is no receipt to settle it (options.receipts is off)")
        }
        var attempt = ReconnectingAttempt(deadline: Date().addingTimeInterval(options.reconnectSeconds))
        let found = try attempt.run { () throws -> ObjectState in
            try poll(connection)
            guard let state = try connection.storage.load(expected.oid) else {
                throw StressFailure("\(name): its receipt \(expected.oid) is missing")
            }
            return state
        }
        switch ConsistencyStress.counter(in: found.state) {
        case expected.counter + 1:
            report.unknownCommitsLanded += 1
            report.increments += increments
            receipt = (expected.oid, found.tid, expected.counter + 1)
        case expected.counter:
            receipt = (expected.oid, found.tid, expected.counter)
        case let other:
            problem("receipt \(expected.oid): counter \(other) after commit \(expected.counter + 1) of unknown outcome")
            receipt = (expected.oid, found.tid, other)
        }
    }
}

/// A stress thread's own reason to stop, in words.
struct StressFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
