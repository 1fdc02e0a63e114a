/// The command-line text of `cache-simul`: help and usage in the layout of ZEO's
/// `cache_simul.py` (Python's argparse at 80 columns) with our extra options, its options for
/// ``ZEOCommandLine``, and the reading of the size lists and the seed.
///
/// ArgumentParser does the parsing; this type supplies the words and the conversions, so tests
/// can check them without a binary.
package enum CacheSimulCommandLine {
    /// The program name in usage and error lines.
    package static let programName = "cache-simul"

    /// The usage lines (argparse's wrapping).
    package static let usage = """
        usage: cache-simul [-h] [--size CACHELIMIT] [--interval INTERVAL]
                           [--rearrange REARRANGE] [--policy POLICY] [--sizes SIZES]
                           [--entries ENTRIES] [--window WINDOW]
                           [--adaptation ADAPTATION] [--seed SEED] [--shards SHARDS]
                           [--cold-restarts] [--every-record] [--format FORMAT]
                           [--plot FILE]
                           tracefile

        """

    /// `-h`/`--help` (standard output, exit status 0, as ZEO's).
    package static let help = usage + """

        Cache simulation. Replays a ZEO client-cache trace against ZEO's circular cache
        file and prints ZEO's report (the default), or against LRU, ARC, LIRS, 2Q,
        S3-FIFO, StateCache's W-TinyLFU and the optimal policy (Belady's, with bypass)
        at many sizes at once.

        positional arguments:
          tracefile             The trace to read; may be gzipped; - reads standard
                                input

        options:
          -h, --help            show this help message and exit
          --size CACHELIMIT, -s CACHELIMIT
                                cache size in MB (default 20MB): MiB of 2**20 bytes
                                for ZEO's circular file, as ZEO; MB of 10**6 bytes
                                for the other policies, as cache-local-mb
          --interval INTERVAL, -i INTERVAL
                                summarizing interval in minutes (default 15; max 60)
          --rearrange REARRANGE, -r REARRANGE
                                rearrange factor
          --policy POLICY       circular (ZEO's report; the default), lru, arc, lirs,
                                2q, s3fifo, wtinylfu, opt, a comma-separated list, or
                                all (all but circular); with --sizes or --entries the
                                default is lru,wtinylfu,opt
          --sizes SIZES         comma-separated cache sizes in MB of 10**6 bytes,
                                fractions allowed (e.g. 1,2,4,8,16)
          --entries ENTRIES     comma-separated cache sizes in entries; every state
                                weighs 1 (research traces)
          --window WINDOW       W-TinyLFU's initial window fraction (default 0.01)
          --adaptation ADAPTATION
                                W-TinyLFU's window adaptation: fixed, hillClimbing,
                                guardedHillClimbing, shadowGuided, miniSimulation
                                (default) or twoLevel
          --seed SEED           W-TinyLFU's admission jitter seed (default 0x5eedcafe)
          --shards SHARDS       W-TinyLFU split into this many shards, a power of two,
                                as the cache splits it; auto: the count the cache
                                picks at each size (default 1: one policy)
          --cold-restarts       clear the cache at every restart record (default: keep
                                it, as a persistent cache file does)
          --every-record        count every load record as a request and every store
                                as an insertion (do not fold ZEO 5's repeated misses)
          --format FORMAT       table (default), csv or json
          --plot FILE           also write a hit-rate-versus-size chart (SVG) to FILE

        """

    /// The command line: its texts, exit status 0 after `-h`/`--help` (as ZEO's), and its options.
    package static let arguments = ZEOCommandLine(
        programName: programName, usage: usage, help: help, helpExitStatus: 0,
        longValueOptions: ["size", "interval", "rearrange", "policy", "sizes", "entries", "window", "adaptation",
                           "seed", "shards", "format", "plot"],
        longFlags: ["help", "cold-restarts", "every-record"],
        shortValueOptions: ["s", "i", "r"], shortFlags: [])

    /// A comma-separated list of sizes in MB (`1,2,4.5`), as byte bounds of 10⁶ bytes each;
    /// sorted, duplicates removed.
    ///
    /// - Returns: nil if an item is not a positive finite number.
    package static func megabyteSizes(_ text: String) -> [SimulationCapacity]? {
        var sizes: [Int] = []
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            guard let value = PythonFloat.parse(String(item)), value.isFinite, value > 0,
                  value < 1e12 else { return nil }
            sizes.append(SimulationCapacity.megabytes(value).limit)
        }
        return sizes.isEmpty ? nil : Array(Set(sizes)).sorted().map { .bytes($0) }
    }

    /// A comma-separated list of entry counts (`100,500,1000`); sorted, duplicates removed.
    ///
    /// - Returns: nil if an item is not a positive integer.
    package static func entrySizes(_ text: String) -> [SimulationCapacity]? {
        var sizes: [Int] = []
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            let digits = item.filter { $0 != "_" && $0 != " " }
            guard let value = Int(digits), value > 0, value <= Int(Int32.max) else { return nil }
            sizes.append(value)
        }
        return sizes.isEmpty ? nil : Array(Set(sizes)).sorted().map { .entries($0) }
    }

    /// A seed: decimal or `0x` hexadecimal.
    package static func seed(_ text: String) -> UInt64? {
        if text.hasPrefix("0x") || text.hasPrefix("0X") { return UInt64(text.dropFirst(2), radix: 16) }
        return UInt64(text)
    }
}
