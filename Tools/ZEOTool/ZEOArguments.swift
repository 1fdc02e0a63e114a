import ArgumentParser
import CacheAnalysis

/// The options of one of ZEO's tools, as ArgumentParser declares them, with the
/// ``ZEOCommandLine`` that words them as argparse does. The tool parses its process's
/// arguments through this type and the tests parse the manifest's command lines through it,
/// so both read a command line the same way.
package protocol ZEOArguments: ParsableArguments {
    /// The tool's command line: texts and option spellings.
    static var commandLine: ZEOCommandLine { get }
}

extension ZEOArguments {
    /// Parses `arguments` as ZEO's tool reads them: argparse's spellings (`-qi5`, `--inter 5`)
    /// rewritten first, then ArgumentParser.
    package static func parseAsZEO(_ arguments: [String]) throws -> Self {
        try parse(commandLine.normalizedArguments(arguments))
    }
}
