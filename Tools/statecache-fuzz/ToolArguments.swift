/// The option space of `cache-simul` and `cache-stats`, as fuzz cases draw from it: values
/// each option accepts (extreme ones included) and values each refuses. A command line with a
/// refused value is broken by construction: the tool must exit with status 2 and say why.
///
/// In a command line, ``tracePlaceholder`` stands for the case's trace file.
enum ToolArguments {
    /// Where the case's input file goes in the arguments.
    static let tracePlaceholder = "{trace}"

    static let simulValid: [[String]] = [
        ["-s", "1"], ["-s", "4"], ["-s", "0.05"], ["-s", "100"], ["-s", "1e-3"], ["-s4"], ["--size=0.5"],
        ["-i", "5"], ["-i", "0"], ["-i", "-3"], ["-i", "1e9"], ["--interval", "0.5"], ["-r", "0"], ["-r", "0.5"],
        ["-r", "1e300"], ["-r", "-1"], ["--policy", "lru"], ["--policy", "all"], ["--policy", "wtinylfu,opt"],
        ["--policy", "arc,lirs,2q,s3fifo"], ["--sizes", "0.02,1,3"], ["--sizes", "999999"], ["--entries", "1,10,1000"],
        ["--entries", "2147483647"], ["--window", "0.5"], ["--window", "1e-300"], ["--adaptation", "fixed"],
        ["--adaptation", "hillClimbing"], ["--adaptation", "guardedHillClimbing"], ["--adaptation", "shadowGuided"],
        ["--adaptation", "miniSimulation"], ["--seed", "12345"], ["--seed", "18446744073709551615"], ["--shards", "4"],
        ["--shards", "65536"], ["--shards", "auto"], ["--cold-restarts"], ["--every-record"], ["--format", "csv"],
        ["--format", "json"], ["--format", "table"], ["--entries", (1 ... 2000).map(String.init).joined(separator: ",")],
        ["--sizes", (1 ... 300).map { "\(Double($0) / 20)" }.joined(separator: ",")],
    ]
    static let simulInvalid: [[String]] = [
        ["-s", "0"], ["-s", "x"], ["-s", "nan"], ["-s", "inf"], ["-s", "1e300"], ["-s", "-1"], ["--sizes", "0.001"],
        ["--sizes", "1,,2"], ["--sizes", "-1"], ["--entries", "0"], ["--entries", "-5"], ["--entries", "4000000000"],
        ["--entries", "1.5"], ["--policy", "fifo"], ["--policy", ""], ["--format", "xml"], ["--shards", "3"],
        ["--shards", "131072"], ["--window", "1.5"], ["--window", "0"], ["--window", "nan"], ["--adaptation", "sideways"],
        ["--seed", "x"], ["--seed", "-1"], ["--bogus"], ["-Z"], ["-i", "x"], ["-r", "x"], ["-i", "nan"],
    ]
    static let statsValid: [[String]] = [
        ["-v"], ["-q"], ["-s"], ["-S"], ["-h"], ["-X"], ["-i", "5"], ["-i", "0"], ["-i", "1e9"], ["-i", "-7"],
        ["--interval=0.5"], ["-qhs"], ["--json"], ["-i5"],
    ]
    static let statsInvalid: [[String]] = [
        ["-i", "x"], ["-i", ""], ["-i", "nan"], ["--bogus"], ["-Z"], ["--interval=abc"],
    ]

    /// A `cache-simul` option set for a trace case's tool run (always valid on its own).
    static func validTraceArguments(_ m: inout Mutator) -> [String] {
        let sets: [[String]] = [
            [], ["-s", "1"], ["-s", "4", "-i", "5"], ["-s", "0.05", "-r", "0.2"], ["--policy", "all", "--entries", "10,100"],
            ["--sizes", "0.02,1"], ["--policy", "wtinylfu", "--shards", "auto", "--sizes", "1"],
            ["--policy", "lru,opt", "--entries", "3", "--format", "csv"],
            ["--entries", "7", "--every-record", "--cold-restarts", "--format", "json"],
        ]
        return sets.randomElement(using: &m.random)!
    }

    /// A whole command line — the tool's name first, then options and ``tracePlaceholder`` —
    /// and, when it holds a refused value or lacks its trace, why it is broken.
    static func commandLine(_ m: inout Mutator) -> ([String], String?) {
        let simul = m.chance(60)
        let (valid, invalid) = simul ? (simulValid, simulInvalid) : (statsValid, statsInvalid)
        var options: [[String]] = (0 ..< m.int(0 ..< 4)).map { _ in valid.randomElement(using: &m.random)! }
        var broken: String?
        if m.chance(40) {
            let bad = invalid.randomElement(using: &m.random)!
            // Last: a later valid value of the same option would replace it (the last one
            // counts, as with every option of ArgumentParser).
            options.append(bad)
            broken = "the refused option value '\(bad.joined(separator: " "))'"
        }
        var arguments = [simul ? "cache-simul" : "cache-stats"] + options.flatMap { $0 }
        switch m.int(0 ..< 100) {
        case 0 ..< 5:
            broken = broken ?? "no trace file"
        case 5 ..< 10:
            arguments.append("/nonexistent/fuzz.trace")
            broken = broken ?? "a trace file that does not exist"
        default:
            arguments.append(tracePlaceholder)
        }
        return (arguments, broken)
    }
}
