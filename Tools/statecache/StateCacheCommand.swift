import ArgumentParser

/// `statecache`: the project's multi-tool (benchmarks, demo, cache-file inspection, trace conversion).
@main
struct StateCacheCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "statecache",
        abstract: "StateCache: a shared, persistent state cache for ZODB-style object stores.",
        subcommands: [
            DemoCommand.self,
            DemoPhaseCommand.self,
            BenchCommand.self,
            StressCommand.self,
            StressWorkerCommand.self,
            InspectCommand.self,
            ConvertCommand.self,
            HoldWriteLockCommand.self,
        ]
    )
}
