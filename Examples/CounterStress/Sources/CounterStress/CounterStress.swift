import Foundation
import StateCache

/// `CounterStress [SECONDS] [TASKS] [OBJECTS] [LOCATION]`: TASKS tasks increment OBJECTS
/// counters in read-modify-write transactions for SECONDS seconds, on a fresh SQLite database
/// or on LOCATION (a `postgresql://` URL, with the PostgreSQL trait), then check that the
/// counters add up to the transactions that committed (no update lost). Exits 1 if they do not.
@main
struct CounterStress {
    static func main() async throws {
        let arguments = CommandLine.arguments.dropFirst().compactMap { Int($0) }
        let named = CommandLine.arguments.dropFirst().first { Int($0) == nil }
        let seconds = arguments.count > 0 ? arguments[0] : 20
        let tasks = arguments.count > 1 ? arguments[1] : 64
        let objects = arguments.count > 2 ? arguments[2] : 100
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("counter-stress-\(getpid())")
        defer { try? FileManager.default.removeItem(at: directory) }

        let location = named.map(StorageLocation.init(parsing:)) ?? .sqlite(directory: directory.appendingPathComponent("db"))
        let client = try await StateCacheClient.open(location,
                                                     retryPolicy: RetryPolicy(maximumAttempts: 1000, maximumDelay: .milliseconds(20)))
        let counters = try await client.newOIDs(count: objects)
        try await client.withTransaction { tx in
            for oid in counters { try tx.store(oid, encode(0), expecting: nil) }
        }
        let deadline = ContinuousClock.now + .seconds(seconds)
        let (committed, attempts) = try await withThrowingTaskGroup(of: (Int, Int).self) { group in
            for task in 0..<tasks {
                group.addTask {
                    var committed = 0, attempts = 0
                    var generator = SystemRandomNumberGenerator()
                    while ContinuousClock.now < deadline {
                        let oid = counters[Int.random(in: 0..<counters.count, using: &generator)]
                        try await client.withTransaction { tx in
                            attempts += 1
                            guard let current = try await tx.load(oid) else { throw StressFailure.missing(oid, task) }
                            try tx.store(oid, encode(decode(current.state) + 1), expecting: current.tid)
                        }
                        committed += 1
                    }
                    return (committed, attempts)
                }
            }
            var sums = (committed: 0, attempts: 0)
            for try await (committed, attempts) in group {
                sums.committed += committed
                sums.attempts += attempts
            }
            return sums
        }
        let states = try await client.load(many: counters)
        let total = counters.reduce(0) { $0 + decode(states[$1]?.state ?? []) }
        try await client.close()
        print("transactions committed: \(committed), counters add up to: \(total), lost updates: \(committed - total), "
              + "reruns after a conflict: \(attempts - committed), tasks: \(tasks), objects: \(objects), seconds: \(seconds), "
              + "storage: \(location)")
        if total != committed { exit(1) }
    }
}

enum StressFailure: Error {
    case missing(ObjectID, Int)
}

func encode(_ value: Int) -> [UInt8] { Array(String(value).utf8) }
func decode(_ bytes: [UInt8]) -> Int { Int(String(decoding: bytes, as: UTF8.self)) ?? -1_000_000 }
