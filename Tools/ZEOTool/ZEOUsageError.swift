/// A command line ZEO's tool would refuse: argparse's message (without the usage and the
/// program name, which ``ZEOTool/usageError(_:)`` adds). Thrown where options are turned
/// into an engine's options, so the tools print it and the tests can check it without exiting.
package struct ZEOUsageError: Error, Equatable {
    /// The message after `<program>: error: `.
    package let message: String

    package init(_ message: String) {
        self.message = message
    }
}
