import CSQLite
import Foundation
@testable import StateCache
import XCTest

/// Blocking work stays off Swift's cooperative pool: while another process's connection holds
/// SQLite's write lock, committing tasks wait on their connections' threads and a task that
/// only sleeps still wakes on time.
final class CooperativePoolTests: ClientTestCase {
    func testCommitsWaitingForTheWriteLockDoNotDelayOtherTasks() async throws {
        let databaseDirectory = directory.appendingPathComponent("db")
        let client = try await StateCacheClient.open(.sqlite(directory: databaseDirectory), options: options(),
                                                     pool: PoolConfiguration(maximumConnections: 16), logger: Self.quiet)
        let oids = try await client.newOIDs(count: 8)
        let holder = WriteLockHolder(path: databaseDirectory.appendingPathComponent("objects.sqlite3").path)
        try holder.lock()
        let release = Task.detached {
            try await Task.sleep(for: .milliseconds(800))
            holder.unlock()
        }
        let lateness = try await withThrowingTaskGroup(of: Duration.self) { group in
            for oid in oids {  // more committing tasks than this machine has cores
                group.addTask {
                    try await client.withTransaction { try $0.store(oid, [1], expecting: nil) }
                    return .zero
                }
            }
            group.addTask {
                var worst = Duration.zero
                let clock = ContinuousClock()
                for _ in 0..<100 {
                    let start = clock.now
                    try await Task.sleep(for: .milliseconds(5))
                    worst = max(worst, clock.now - start - .milliseconds(5))
                }
                return worst
            }
            return try await group.reduce(.zero) { max($0, $1) }
        }
        try await release.value
        // Blocked cooperative threads would delay the sleeper by the whole 800 ms; the bound
        // is loose for a loaded test machine (`statecache bench client` measures it closely).
        XCTAssertLessThan(lateness, .milliseconds(250), "a sleeping task woke \(lateness) late")
        let states = try await client.load(many: oids)
        XCTAssertEqual(states.count, oids.count, "every commit landed once the lock was free")
        try await client.close()
    }
}

/// Another connection to the SQLite file that takes the write lock (`BEGIN IMMEDIATE`) and
/// holds it, as a writer in another process would.
final class WriteLockHolder: @unchecked Sendable {
    private var handle: OpaquePointer?

    init(path: String) {
        precondition(sqlite3_open(path, &handle) == SQLITE_OK, "cannot open \(path)")
    }

    func lock() throws {
        guard sqlite3_exec(handle, "BEGIN IMMEDIATE", nil, nil, nil) == SQLITE_OK else {
            throw XCTSkip("could not take the write lock: \(String(cString: sqlite3_errmsg(handle)))")
        }
    }

    func unlock() {
        sqlite3_exec(handle, "COMMIT", nil, nil, nil)
        sqlite3_close(handle)
        handle = nil
    }
}
