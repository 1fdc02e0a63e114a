import ArgumentParser
import CacheAnalysis
import CacheTrace
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What `cache-stats` and `cache-simul` do alike around their work, as ZEO's argparse does it:
/// rewrite the argparse spellings, answer `--help`, parse with ArgumentParser, turn every
/// command-line error (and a trace file that cannot be opened) into the usage, the message and
/// exit status 2.
///
/// A tool conforms, names its ``ZEOCommandLine`` and calls ``runAsZEOTool()`` from `main()`.
package protocol ZEOTool: ParsableCommand {
    /// The tool's command line: texts and options.
    static var commandLine: ZEOCommandLine { get }

    /// Runs the parsed command; the process's exit status.
    func execute() -> Int32
}

extension ZEOTool {
    /// Parses the process's arguments as ZEO's tool would and runs the command; never returns.
    package static func runAsZEOTool() -> Never {
        let arguments = commandLine.normalizedArguments(Array(CommandLine.arguments.dropFirst()))
        if arguments.contains(where: commandLine.helpArguments.contains) {
            StandardStream.output.write(commandLine.help)
            terminate(commandLine.helpExitStatus)
        }
        let command: Self
        do {
            command = try parseAsRoot(arguments) as! Self
        } catch {
            usageError(message(for: error))
        }
        terminate(command.execute())
    }

    /// What `body` returns, or, when it throws, the usage and its message on standard error and
    /// exit status 2.
    package static func orUsageError<Value>(_ body: () throws(ZEOUsageError) -> Value) -> Value {
        do {
            return try body()
        } catch {
            usageError(error.message)
        }
    }

    /// Prints the usage and `message` on standard error and exits with status 2.
    package static func usageError(_ message: String) -> Never {
        StandardStream.error.write(commandLine.errorText(message))
        terminate(ZEOCommandLine.usageExitStatus)
    }

    /// The trace at `path` (`-`: standard input), or a usage error: the missing argument, or
    /// Python's words for a file that cannot be opened. Data that cannot be a trace at all —
    /// compressed by bzip2, zstd or LZ4, or unreadable from its first bytes — is not a usage
    /// error: one line, `<program>: error: …`, and exit status 1.
    package static func openTrace(_ path: String?, recovery: MisalignmentRecovery) -> TraceReader {
        guard let path else { usageError(ZEOCommandLine.missingTraceFile) }
        do {
            return try TraceInput.reader(path: path, recovery: recovery)
        } catch {
            if case .cannotOpen(_, let code) = error {
                usageError(ZEOCommandLine.cannotOpen(path: path, errno: code,
                                                     systemMessage: TraceReadError.systemMessage(code)))
            }
            fail(String(describing: error))
        }
    }

    /// Prints `<program>: error: <message>` on standard error (one line, no usage) and exits
    /// with status 1: for input that is not a trace, as opposed to a command-line error.
    package static func fail(_ message: String) -> Never {
        StandardStream.error.write("\(commandLine.programName): error: \(message)\n")
        terminate(1)
    }
}

/// Ends the process with `status` (C's `exit`; `ParsableCommand` has an `exit` of its own).
private func terminate(_ status: Int32) -> Never {
    #if canImport(Glibc)
    Glibc.exit(status)
    #else
    Darwin.exit(status)
    #endif
}
