import ArgumentParser

/// `statecache-test-worker`: the child processes the tests start, kept out of the `statecache`
/// tool users install. Tests find it beside the test bundle, where `swift build` leaves it.
@main
struct TestWorkerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "statecache-test-worker",
        abstract: "Child processes for StateCache's tests (not a user tool).",
        subcommands: [
            CacheFilesWorkerCommand.self,
        ]
    )
}
