import CacheCore
import ArgumentParser
import CacheFiles
import Foundation
import StateCache
import StateCacheThreaded
import Workload

/// The hidden worker the cache-file tests start in child processes: it opens a database with
/// a cache directory (restoring what is there), runs a verified workload, then either closes
/// at an agreed instant (many processes writing their files at once) or saves its cache in a
/// loop until it is killed (the crash test).
///
/// Prints one JSON object per line: `{"phase":"ready",…}` after the workload, then
/// `{"phase":"closed",…}` or `{"phase":"saving"}`. Exits 1 if any load differed from SQLite.
struct CacheFilesWorkerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "cache-files-worker")

    @Option var db: String
    @Option var cacheDir: String
    @Option(help: "close or save-loop") var mode = "close"
    @Option(help: "Close at this instant (seconds since 1970).") var closeAt: Double?
    @Option var cacheMb = 1.0
    @Option var loads = 2000
    @Option var seed: UInt64 = 1
    @Option(help: "cacheLocalDirCount") var keep = 20
    @Flag var lz4 = false

    struct Output: Codable {
        var phase: String
        var restored = 0
        var loads = 0
        var hits = 0
        var mismatches = 0
        var written = 0
        var file: String?
    }

    func run() throws {
        var options = DatabaseOptions()
        options.cache.cacheLocalMB = cacheMb
        options.cacheLocalDir = URL(fileURLWithPath: cacheDir)
        options.cacheLocalDirCompress = lz4
        options.cacheLocalDirCount = keep
        options.cacheDeltaSizeLimit = 50
        let database = try Database.open(at: URL(fileURLWithPath: db), options: options)
        var output = Output(phase: "ready", restored: database.cacheFileLoad?.entriesRestored ?? 0)
        let connection = try database.connect()
        try connection.poll()
        let last = try database.store.lastTransaction()
        let objects = Set(try database.store.listChanges(after: .zero, through: last).map(\.oid)).sorted()
        var generator = SplitMix64(seed: seed)
        for index in 0..<loads {
            if index % 20 == 0 { try connection.poll() }
            // Skewed: most loads go to the first quarter of the objects.
            let range = generator.next() % 4 == 0 ? objects.count : max(1, objects.count / 4)
            let oid = objects[Int(generator.next() % UInt64(range))]
            let cached = try connection.load(oid)
            let direct = try connection.storage.load(oid)
            if cached?.state != direct?.state || cached?.tid != direct?.tid { output.mismatches += 1 }
            if let cached, ConsistencyStress.verify(cached.state, oid: oid, tid: cached.tid) != nil { output.mismatches += 1 }
            if index % 97 == 0, let cached {
                connection.store(oid, ConsistencyStress.state(oid: oid, counter: ConsistencyStress.counter(in: cached.state) + 1,
                                                         basedOn: cached.tid),
                                 expecting: cached.tid)
                do { try connection.commit() } catch StorageError.Code.conflict { connection.abort() }
            }
        }
        output.loads = connection.stats.loads
        output.hits = connection.stats.hits
        connection.close()
        emit(output)
        if mode == "save-loop" {
            emit(Output(phase: "saving"))
            while true { _ = database.saveCacheFiles() }
        }
        if let closeAt {
            let wait = closeAt - Date().timeIntervalSince1970
            if wait > 0 { Thread.sleep(forTimeInterval: wait) }
        }
        try database.close()
        var closed = Output(phase: "closed", mismatches: output.mismatches)
        closed.written = database.cacheFileSave?.entries ?? 0
        closed.file = database.cacheFileSave?.file?.path
        emit(closed)
        if output.mismatches > 0 { throw ExitCode(1) }
    }

    private func emit(_ output: Output) {
        let line = String(decoding: (try? JSONEncoder().encode(output)) ?? Data(), as: UTF8.self) + "\n"
        FileHandle.standardOutput.write(Data(line.utf8))
    }
}
