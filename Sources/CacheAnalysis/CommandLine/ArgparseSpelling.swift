/// Python argparse's spelling of long options, which ZEO's scripts accept and ArgumentParser
/// does not: `--name=value`, and any unique prefix of a name (`--inter 5` for `--interval`).
/// Shared by the `cache-stats` and `cache-simul` command lines.
enum ArgparseSpelling {
    /// Splits `argument` (which starts with `--`) into its option name, resolved among `names`,
    /// and its glued value, if any. An exact name wins over a prefix (`--size` vs `--sizes`); a
    /// name that is no name's unique prefix is returned as written, for the parser to reject.
    static func longOption(_ argument: String, among names: [String]) -> (name: String, value: Substring?) {
        let parts = argument.dropFirst(2).split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
        let name = String(parts[0])
        let matches = names.filter { $0.hasPrefix(name) }
        let resolved = names.contains(name) ? name : (matches.count == 1 ? matches[0] : name)
        return (resolved, parts.count > 1 ? parts[1] : nil)
    }
}
