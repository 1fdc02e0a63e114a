import ArgumentParser
import Foundation
import StateCache
import StateCacheThreaded

/// The hidden child `statecache demo` starts for each run, so that the warm run really is a
/// new process that finds only what the first one left on disk.
struct DemoPhaseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "demo-phase", shouldDisplay: false)

    @Option var dir: String
    @Option var postgres: String?
    @Option var cacheMb: Double
    @Option var workload: String
    @Flag var progress = false
    @Option var label = "run"

    func run() throws {
        let database = DemoDatabase(root: URL(fileURLWithPath: dir), postgres: postgres)
        let plan = try JSONDecoder().decode(DemoWorkload.self, from: Data(workload.utf8))
        let oids = try database.objectsByPopularity(seed: plan.seed)
        let db = try Database.open(database.location, options: database.options(cacheMB: cacheMb))
        let label = self.label
        let seconds = plan.seconds
        let started = Date()
        @Sendable func report(loads: Int, hits: Int) {
            let elapsed = Date().timeIntervalSince(started)
            let rate = loads == 0 ? 0 : 100 * Double(hits) / Double(loads)
            let line = "\r  \(label): " + String(format: "%4.1f / %.0f s", elapsed, seconds)
                + ", ≈\(ToolFormat.count(loads)) loads, hit rate " + String(format: "%.1f%%   ", rate)
            FileHandle.standardError.write(Data(line.utf8))
        }
        let reporter: (@Sendable (Int, Int) -> Void)? = progress ? report : nil
        let result = try plan.run(db: db, oids: oids, progress: reporter)
        if progress { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        let entries = db.cacheStats.entries
        try db.close()
        var output = PhaseOutput(result: result, cacheEntries: entries)
        output.traceFile = db.tracer?.path
        print(String(decoding: try JSONEncoder().encode(output), as: UTF8.self))
    }

    /// What the child reports to the parent.
    struct PhaseOutput: Codable {
        var result: DemoWorkload.Result
        var cacheEntries: Int
        var traceFile: String?
    }
}
