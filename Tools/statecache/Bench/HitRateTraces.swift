import Workload
import CacheAnalysis
import CacheCore
import CacheTrace
import Foundation

/// The traces `statecache bench hitrate` measures, each made readable by `cache-simul`'s own
/// decoder (``OperationStream/decode(path:everyRecord:progress:)``), so a cell is exactly what
/// `cache-simul --policy … TRACE` would print.
///
/// - **Fixtures**: every file under the fixtures folder that `cache-simul` can read. A file in a
///   folder named after a research format (`lirs/`, `arc/`, `cache2k/`, `cloud_physics/`, …:
///   ``KeyTraceFormat/init(name:)``) is converted with ``KeyTraceConverter`` to a temporary ZEO
///   trace; a `*.trace` / `*.trace.gz` elsewhere is a ZEO trace read as it is. `expected/`
///   folders (the reference tools' outputs) and other files are passed over.
/// - **Synthetic mixes** (written once per run, deterministic: seeded ``SplitMix64`` and
///   ``ZipfDistribution``): a loop, a scan through a hot set, Zipf, a recency chain and a
///   phase change. Each chooses its sizes around its own structure (a loop's length, the hot
///   set) rather than its distinct objects, which there mostly say little.
enum HitRateTraces {
    /// How a trace's five sizes are picked.
    enum Sizes {
        /// These fractions of the most the trace ever holds at once (its distinct objects when
        /// nothing is invalidated): entries for key traces, bytes for ZEO traces with sizes.
        case fractionsOfPeak([Double])
        /// These entry bounds (synthetic traces, sized around their structure).
        case entries([Int])
        /// The cache sizes of the ARC paper (Megiddo & Modha, FAST 2003) for its traces (`arc/`):
        /// ``arcDatabaseSizes`` for a footprint under ``arcDatabaseFootprint`` pages (OLTP),
        /// ``arcWorkstationSizes`` otherwise (P1–P14, DS1, S1–S3), those below the footprint.
        case arcPaper
    }

    /// The ARC paper's sizes (pages) for its database trace, OLTP (Table IV).
    static let arcDatabaseSizes = [1_000, 2_000, 5_000, 10_000, 15_000]
    /// Sizes (pages) for its larger traces, within the range its figures and tables use (2¹⁰ – 2¹⁹).
    static let arcWorkstationSizes = [1_024, 4_096, 16_384, 65_536, 262_144]
    /// A footprint below this many pages takes ``arcDatabaseSizes``.
    static let arcDatabaseFootprint = 500_000

    /// One trace ready to decode.
    struct Source {
        /// The name in the table (`lirs/gli`, `zeo/zipf-pure`, `synthetic/loop`).
        var name: String
        /// A ZEO trace `cache-simul` reads (converted or written when needed).
        var path: String
        var sizes: Sizes
    }

    /// The sizes of fixture traces, as fractions of the peak.
    static let fractions = [0.01, 0.03, 0.10, 0.30, 0.60]
    /// `--quick`'s.
    static let quickFractions = [0.03, 0.30]

    /// The default `--fixtures`: `../shared/fixtures`, relative to the current directory.
    static let defaultFixtures = "../shared/fixtures"

    // MARK: Fixtures

    /// The fixture traces under `folder`, converted into `scratch` where needed. `notes`
    /// receives one line per file passed over. `--quick` keeps the small ones (key traces up to
    /// 8 KiB compressed, ZEO traces up to 1 MiB) and two sizes.
    static func fixtures(in folder: URL, scratch: URL, quick: Bool, notes: inout [String]) -> [Source] {
        guard let walker = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: [.isRegularFileKey, .fileSizeKey],
                                                          options: [.skipsHiddenFiles]) else { return [] }
        let sizes = Sizes.fractionsOfPeak(quick ? quickFractions : fractions)
        var files: [URL] = []
        for case let url as URL in walker {
            let values = try? url.resourceValues(forKeys: [.isRegularFileKey])
            if values?.isRegularFile == true { files.append(url) }
        }
        let base = folder.standardizedFileURL.pathComponents.count
        var sources: [Source] = []
        for url in files.sorted(by: { $0.path < $1.path }) {
            let components = Array(url.standardizedFileURL.pathComponents.dropFirst(base))
            let folders = components.dropLast()
            if folders.contains("expected") { continue }  // the reference tools' outputs
            let fileName = url.lastPathComponent
            let bytes = (try? url.resourceValues(forKeys: [.fileSizeKey]).fileSize) ?? 0
            let stem = fileName.replacingOccurrences(of: ".gz", with: "").replacingOccurrences(of: ".xz", with: "")
                .replacingOccurrences(of: ".trace", with: "").replacingOccurrences(of: ".lis", with: "")
            if let format = folders.reversed().lazy.compactMap({ KeyTraceFormat(name: $0) }).first {
                if fileName.hasPrefix("README") || fileName.hasSuffix(".md") || fileName.hasSuffix(".c") { continue }
                if quick && bytes > 8 << 10 { continue }
                let output = scratch.appendingPathComponent("\(format.rawValue)-\(stem).trace").path
                do {
                    _ = try KeyTraceConverter.convert(input: url.path, format: format, output: output)
                    sources.append(Source(name: "\(format.rawValue)/\(stem)", path: output,
                                          sizes: format == .arc && !quick ? .arcPaper : sizes))
                } catch {
                    notes.append("skipped \(components.joined(separator: "/")): not a \(format.rawValue) trace (\(error))")
                }
            } else if fileName.hasSuffix(".trace") || fileName.hasSuffix(".trace.gz") {
                if quick && bytes > 1 << 20 { continue }
                sources.append(Source(name: "zeo/\(stem)", path: url.path, sizes: sizes))
            }
        }
        return sources
    }

    // MARK: Synthetic mixes

    /// The synthetic traces, written into `scratch`; `--quick` makes them a tenth as long.
    static func synthetic(scratch: URL, quick: Bool) throws -> [Source] {
        let scale = quick ? 10 : 1
        var sources: [Source] = []
        func add(_ name: String, _ keys: [UInt64], _ sizes: Sizes) throws {
            let path = scratch.appendingPathComponent("synthetic-\(name).trace").path
            try write(keys, to: path)
            sources.append(Source(name: "synthetic/\(name)", path: path, sizes: sizes))
        }
        // A cyclic scan over 2,000 keys: LRU never hits below 2,000 entries, OPT keeps a fixed part.
        let loopLength = 2_000 / scale
        try add("loop", loop(length: loopLength, accesses: 200_000 / scale),
                .entries([0.25, 0.5, 0.8, 0.9, 0.95].map { Int(Double(loopLength) * $0) }))
        // 2,000 hot keys (Zipf 0.8) and, after every 12,000 of their accesses, a scan of 6,000
        // keys never seen again: LRU loses the hot set at each scan.
        let hot = 2_000 / scale
        try add("scan-hot", scanThroughHotSet(hot: hot, hotRun: 12_000 / scale, scan: 6_000 / scale,
                                               accesses: 300_000 / scale, seed: 11),
                .entries([0.1, 0.25, 0.5, 1, 2].map { Int(Double(hot) * $0) }))
        // Zipf(0.9) over 100,000 keys, the skew of object stores.
        try add("zipf", zipf(keys: 100_000 / scale, exponent: 0.9, accesses: 500_000 / scale, seed: 12),
                .fractionsOfPeak(quick ? quickFractions : fractions))
        // Every key requested twice, the second time 40 – 1,040 requests later: recency only,
        // frequency says nothing (CacheCoreTests' `recencyTrace`).
        let span = 2_000 / scale
        try add("recency", recencyChain(span: span, accesses: 300_000 / scale, seed: 13),
                .entries([0.05, 0.1, 0.25, 0.5, 1].map { max(1, Int(Double(span) * $0)) }))
        // Caffeine's corda + 5×loop + corda stress in miniature: a Zipf hot set, five passes of
        // a loop, another (disjoint) Zipf hot set, five passes again, the first hot set again.
        try add("phase", phaseChange(zipfKeys: 20_000 / scale, zipfAccesses: 100_000 / scale,
                                     loopLength: 6_000 / scale, seed: 14),
                .fractionsOfPeak(quick ? quickFractions : fractions))
        return sources
    }

    /// `0, 1, …, length − 1, 0, 1, …` for `accesses` keys.
    static func loop(length: Int, accesses: Int) -> [UInt64] {
        (0 ..< accesses).map { UInt64($0 % length) }
    }

    /// A Zipf(0.8) hot set of `hot` keys, interrupted every `hotRun` accesses by `scan` fresh keys.
    static func scanThroughHotSet(hot: Int, hotRun: Int, scan: Int, accesses: Int, seed: UInt64) -> [UInt64] {
        var generator = SplitMix64(seed: seed)
        let popularity = ZipfDistribution(count: hot, exponent: 0.8)
        var keys: [UInt64] = []
        keys.reserveCapacity(accesses)
        var fresh = UInt64(hot)
        while keys.count < accesses {
            for _ in 0 ..< hotRun where keys.count < accesses { keys.append(UInt64(popularity.next(using: &generator))) }
            for _ in 0 ..< scan where keys.count < accesses {
                keys.append(fresh)
                fresh += 1
            }
        }
        return keys
    }

    /// `accesses` keys drawn from Zipf(`exponent`) over `keys` ranks, the ranks scattered over
    /// the key space (so popularity does not follow key order).
    static func zipf(keys: Int, exponent: Double, accesses: Int, seed: UInt64, offset: UInt64 = 0) -> [UInt64] {
        var generator = SplitMix64(seed: seed)
        let popularity = ZipfDistribution(count: keys, exponent: exponent)
        return (0 ..< accesses).map { _ in scatter(UInt64(popularity.next(using: &generator)) &+ offset) }
    }

    /// Each new key is requested again once, `span / 50` to `span / 2 + span / 50` requests later.
    static func recencyChain(span: Int, accesses: Int, seed: UInt64) -> [UInt64] {
        var generator = SplitMix64(seed: seed)
        var due: [Int: [UInt64]] = [:]  // position → keys requested again there
        var keys: [UInt64] = []
        keys.reserveCapacity(accesses + 8)
        var next: UInt64 = 0
        while keys.count < accesses {
            keys.append(next)
            let again = keys.count + span / 50 + Int(generator.next() % UInt64(max(1, span / 2)))
            due[again, default: []].append(next)
            next += 1
            keys += due.removeValue(forKey: keys.count) ?? []
        }
        return keys
    }

    /// Hot set A, 5 × loop, hot set B, 5 × loop, hot set A: the window must grow for the loops
    /// and shrink again for the hot sets.
    static func phaseChange(zipfKeys: Int, zipfAccesses: Int, loopLength: Int, seed: UInt64) -> [UInt64] {
        let loopBase = UInt64(1) << 40
        let passes = (0 ..< 5 * loopLength).map { loopBase + UInt64($0 % loopLength) }
        let a = zipf(keys: zipfKeys, exponent: 0.9, accesses: zipfAccesses, seed: seed)
        let b = zipf(keys: zipfKeys, exponent: 0.9, accesses: zipfAccesses, seed: seed + 1, offset: UInt64(1) << 41)
        let aAgain = zipf(keys: zipfKeys, exponent: 0.9, accesses: zipfAccesses, seed: seed + 2)
        return a + passes + b + passes + aAgain
    }

    /// A fixed bijection of the key space (SplitMix64's finalizer).
    static func scatter(_ key: UInt64) -> UInt64 {
        var z = key &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Writes keys as ``KeyTraceConverter`` does: a restart, then one load miss per key.
    static func write(_ keys: [UInt64], to path: String) throws {
        let writer = try TraceWriter(path: path)
        let first = KeyTraceConverter.firstTimestamp
        writer.writeRestart(timestamp: first)
        for (index, key) in keys.enumerated() {
            writer.write(.loadMiss, oid: key, timestamp: first &+ UInt32(index / KeyTraceConverter.keysPerSecond))
        }
        try writer.close()
    }
}
