import CacheAnalysis
import CacheCore
import Foundation

/// `statecache bench hitrate`: W-TinyLFU's hit rate against LRU, ARC and the clairvoyant bound
/// on every trace at hand, five sizes each — the harness issue #20's policy work is judged by
/// (W-TinyLFU never behind LRU).
///
/// Traces (``HitRateTraces``): every trace under `--fixtures` (default `../shared/fixtures`)
/// that `cache-simul` reads — ZEO traces as they are, research key traces (LIRS, ARC, cache2k,
/// …) converted — and five synthetic mixes. Traces with fewer than 1,000 requests are passed
/// over: one request is then more than 0.1 point.
///
/// Sizes: 1, 3, 10, 30 and 60% of the most the trace ever holds at once — entries for key
/// traces, bytes (as the cache weighs them) for ZEO traces with sizes; the synthetic mixes
/// pick entry bounds around their structure.
///
/// Columns (``columns``): LRU, ARC, W-TinyLFU as the cache runs it (default adaptation), one
/// W-TinyLFU column per other ``WindowAdaptation``, and OPT (Bélády with bypass; with byte
/// sizes only a very good heuristic). Every cell goes through ``SimulationSweep/run``.
///
/// Rows: one per (trace, size), value = W-TinyLFU, baseline = LRU, the other columns in the
/// notes; then per column its mean over all cells and its worst cell against LRU. A readable
/// table, the summary and the five cells where W-TinyLFU loses most to LRU go to standard
/// error, so `--json` stays clean.
enum HitRateBenchmark: BenchmarkGroup {
    static let name = "hitrate"
    static let summary = "W-TinyLFU's hit rate vs LRU (and ARC, OPT) on every fixture trace and 5 synthetic mixes, 5 sizes each"

    /// One column of the table: a policy under a setting.
    struct Column {
        /// The name in the table and in the notes (`lru`, `wtinylfu`, `wtinylfu-fixed`).
        var name: String
        var policy: SimulationPolicy
        /// W-TinyLFU's window adaptation; nil: the cache's default.
        var adaptation: WindowAdaptation?
    }

    /// The columns, in table order. **A new policy gets its column here**: a new
    /// ``SimulationPolicy`` case goes in before `opt`; a new ``WindowAdaptation`` case gets a
    /// `wtinylfu-<name>` column by itself.
    static var allColumns: [Column] {
        let standard = CacheOptions().windowAdaptation
        return [Column(name: "lru", policy: .lru), Column(name: "arc", policy: .arc),
                Column(name: "wtinylfu", policy: .wtinylfu)]
            + WindowAdaptation.allCases.filter { $0 != standard }.map {
                Column(name: "wtinylfu-\($0.rawValue)", policy: .wtinylfu, adaptation: $0)
            }
            + [Column(name: "opt", policy: .opt)]
    }

    /// The columns `--columns` names, in table order, with LRU (every row's baseline) and the
    /// default W-TinyLFU (every row's value) always; nil: all of them.
    static func columns(named names: [String]?) throws -> [Column] {
        guard let names else { return allColumns }
        let known = Set(allColumns.map(\.name))
        for name in names where !known.contains(name) {
            throw BenchmarkFailure("unknown hitrate column '\(name)'; known: \(allColumns.map(\.name).joined(separator: ", "))")
        }
        return allColumns.filter { $0.name == "lru" || $0.name == "wtinylfu" || names.contains($0.name) }
    }

    /// The fewest requests a trace needs to be measured.
    static let minimumRequests = 1_000

    /// One (trace, size) and every column's hit rate there.
    struct Cell {
        var trace: String
        var capacity: SimulationCapacity
        /// The size as a share of the trace's peak, in percent.
        var percentOfPeak: Double
        var requests: Int
        /// Hit rates in percent, by column name.
        var hitRates: [String: Double]

        var label: String { "\(trace) \(capacity)" }
        func delta(_ column: String) -> Double { hitRates[column]! - hitRates["lru"]! }
    }

    static func run(_ context: BenchmarkContext) throws -> [BenchmarkRow] {
        let started = ContinuousClock.now
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("statecache-bench-hitrate-\(getpid())")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }

        let columns = try columns(named: context.columns)
        var notes: [String] = []
        let folder = URL(fileURLWithPath: context.fixtures ?? HitRateTraces.defaultFixtures,
                         relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath, isDirectory: true))
            .standardizedFileURL
        var sources: [HitRateTraces.Source] = []
        if FileManager.default.fileExists(atPath: folder.path) {
            sources += HitRateTraces.fixtures(in: folder, scratch: scratch, quick: context.quick, notes: &notes)
        } else {
            notes.append("no fixtures at \(folder.path) (--fixtures DIR): synthetic traces only")
        }
        if context.synthetic { sources += try HitRateTraces.synthetic(scratch: scratch, quick: context.quick) }

        var cells: [Cell] = []
        for source in sources {
            let (stream, _, readError) = try OperationStream.decode(path: source.path)
            if let readError { notes.append("\(source.name): read up to an error (\(readError)), as cache-simul does") }
            guard stream.requestCount >= minimumRequests else {
                notes.append("skipped \(source.name): \(stream.requestCount) requests (fewer than \(minimumRequests))")
                continue
            }
            let capacities = sizes(for: source, stream: stream)
            let unit = capacities.first?.isBytes == true ? "bytes (the cache's weights)" : "entries"
            notes.append("\(source.name): \(stream.requestCount) requests, \(stream.objectCount) objects; sizes in \(unit)")
            cells += measure(source.name, stream, capacities, columns)
        }

        let elapsed = started.duration(to: .now)
        notes.append("\(cells.count) cells in \(elapsed.components.seconds) s")
        FileHandle.standardError.write(Data((report(cells, columns, notes: notes) + "\n").utf8))
        return rows(cells, columns)
    }

    /// The trace's sizes, smallest first, duplicates dropped.
    static func sizes(for source: HitRateTraces.Source, stream: OperationStream) -> [SimulationCapacity] {
        let weighted = stream.sizes.contains { $0 > 0 }
        var capacities: [SimulationCapacity]
        switch source.sizes {
        case .entries(let entries):
            capacities = entries.map { .entries(max(1, $0)) }
        case .arcPaper:
            let footprint = stream.objectCount
            capacities = (footprint < HitRateTraces.arcDatabaseFootprint ? HitRateTraces.arcDatabaseSizes : HitRateTraces.arcWorkstationSizes)
                .filter { $0 < footprint }.map { .entries($0) }
        case .fractionsOfPeak(let fractions):
            let unit: SimulationCapacity = weighted ? .bytes(1) : .entries(1)
            let peak = UnboundedCacheSimulator.peakWeight(stream, unit: unit, settings: SimulationSettings())
            capacities = fractions.map { fraction in
                let limit = max(1, Int((Double(peak) * fraction).rounded()))
                return weighted ? .bytes(limit) : .entries(limit)
            }
        }
        var seen = Set<SimulationCapacity>()
        return capacities.filter { seen.insert($0).inserted }.sorted()
    }

    /// Every column at every size of one trace.
    static func measure(_ trace: String, _ stream: OperationStream, _ capacities: [SimulationCapacity],
                        _ columns: [Column]) -> [Cell] {
        let peak = UnboundedCacheSimulator.peakWeight(stream, unit: capacities[0], settings: SimulationSettings())
        var rates: [String: [SimulationCapacity: Double]] = [:]
        // One sweep for the columns at the default settings (OPT's next uses and W-TinyLFU's keys
        // computed once), one more per adaptation variant.
        let plain = columns.filter { $0.adaptation == nil }
        for result in SimulationSweep.run(stream, policies: plain.map(\.policy), capacities: capacities,
                                          settings: SimulationSettings()) {
            let column = plain.first { $0.policy == result.policy }!
            rates[column.name, default: [:]][result.capacity] = result.hitRate
        }
        for column in columns where column.adaptation != nil {
            var settings = SimulationSettings()
            settings.adaptation = column.adaptation!
            for result in SimulationSweep.run(stream, policies: [column.policy], capacities: capacities, settings: settings) {
                rates[column.name, default: [:]][result.capacity] = result.hitRate
            }
        }
        return capacities.map { capacity in
            Cell(trace: trace, capacity: capacity, percentOfPeak: 100 * Double(capacity.limit) / Double(max(1, peak)),
                 requests: stream.requestCount,
                 hitRates: Dictionary(uniqueKeysWithValues: columns.map { ($0.name, rates[$0.name]![capacity]!) }))
        }
    }

    // MARK: Rows and report

    /// One column's standing over all cells.
    struct Standing {
        var column: String
        var mean: Double
        var meanLRU: Double
        var worst: Cell
        var worstDelta: Double
    }

    static func standings(_ cells: [Cell], _ columns: [Column]) -> [Standing] {
        guard !cells.isEmpty else { return [] }
        let count = Double(cells.count)
        let meanLRU = cells.map { $0.hitRates["lru"]! }.reduce(0, +) / count
        return columns.filter { $0.name != "lru" }.map { column in
            let worst = cells.min { $0.delta(column.name) < $1.delta(column.name) }!
            return Standing(column: column.name, mean: cells.map { $0.hitRates[column.name]! }.reduce(0, +) / count,
                            meanLRU: meanLRU, worst: worst, worstDelta: worst.delta(column.name))
        }
    }

    /// The cells as benchmark rows, then two summary rows per column.
    static func rows(_ cells: [Cell], _ columns: [Column]) -> [BenchmarkRow] {
        var rows = cells.map { cell in
            var notes: [String: Double] = [:]
            for column in columns where column.name != "wtinylfu" && column.name != "lru" {
                notes[column.name] = cell.hitRates[column.name]!
            }
            notes["wtinylfu-lru points"] = cell.delta("wtinylfu")
            notes["size"] = Double(cell.capacity.limit)
            notes["bytes"] = cell.capacity.isBytes ? 1 : 0
            notes["percent of peak"] = cell.percentOfPeak
            notes["requests"] = Double(cell.requests)
            return BenchmarkRow(group: name, name: cell.label, value: cell.hitRates["wtinylfu"]!, unit: "% hits",
                                baseline: "lru", baselineValue: cell.hitRates["lru"]!, notes: notes)
        }
        for standing in standings(cells, columns) {
            rows.append(BenchmarkRow(group: name, name: "summary \(standing.column) mean of \(cells.count) cells",
                                     value: standing.mean, unit: "% hits", baseline: "lru mean", baselineValue: standing.meanLRU,
                                     notes: ["points vs lru": standing.mean - standing.meanLRU, "cells": Double(cells.count)]))
            let worst = standing.worst
            rows.append(BenchmarkRow(group: name, name: "summary \(standing.column) worst vs lru: \(worst.label)",
                                     value: worst.hitRates[standing.column]!, unit: "% hits",
                                     baseline: "lru", baselineValue: worst.hitRates["lru"]!,
                                     notes: ["points vs lru": standing.worstDelta].merging(worst.hitRates["opt"].map { ["opt": $0] } ?? [:]) { a, _ in a }))
        }
        return rows
    }

    /// The readable report: notes, every cell, the summary, the worst cells.
    static func report(_ cells: [Cell], _ columns: [Column], notes: [String]) -> String {
        var out = notes.map { "hitrate: \($0)" }
        let names = columns.map(\.name)
        func pct(_ value: Double) -> String { String(format: "%.2f", value) }
        func signed(_ value: Double) -> String { String(format: "%+.2f", value) }
        var table = [["trace", "size", "% of peak"] + names + ["wtinylfu-lru"]]
        for cell in cells {
            // A star marks a rate above OPT's, possible only with byte sizes (OPT is then a heuristic).
            let rates = names.map { name in
                pct(cell.hitRates[name]!) + (cell.hitRates[name]! > (cell.hitRates["opt"] ?? .infinity) + 1e-9 ? "*" : "")
            }
            table.append([cell.trace, cell.capacity.description, String(format: "%.1f", cell.percentOfPeak)]
                         + rates + [signed(cell.delta("wtinylfu"))])
        }
        out += ["", "Hit rates (%), every cell:"] + align(table, rightFrom: 2)
        var summary = [["policy", "mean", "mean-lru", "worst-lru", "worst cell"]]
        if let first = standings(cells, columns).first {
            summary.append(["lru", pct(first.meanLRU), "", "", ""])
        }
        for standing in standings(cells, columns) {
            summary.append([standing.column, pct(standing.mean), signed(standing.mean - standing.meanLRU),
                            signed(standing.worstDelta), standing.worst.label])
        }
        out += ["", "Summary over \(cells.count) cells (points):"] + align(summary, rightFrom: 1, through: 3)
        var worst = [["trace", "size", "lru", "wtinylfu", "wtinylfu-lru", "arc", "opt"]]
        for cell in cells.sorted(by: { $0.delta("wtinylfu") < $1.delta("wtinylfu") }).prefix(5) {
            worst.append([cell.trace, cell.capacity.description, pct(cell.hitRates["lru"]!), pct(cell.hitRates["wtinylfu"]!),
                          signed(cell.delta("wtinylfu")), cell.hitRates["arc"].map(pct) ?? "-", cell.hitRates["opt"].map(pct) ?? "-"])
        }
        out += ["", "The 5 worst cells for wtinylfu against lru:"] + align(worst, rightFrom: 2)
        return out.joined(separator: "\n")
    }

    /// Columns padded to one width; those from `rightFrom` (through `through`) right-aligned.
    static func align(_ lines: [[String]], rightFrom: Int, through: Int = .max) -> [String] {
        var widths: [Int] = []
        for line in lines {
            for (i, cell) in line.enumerated() {
                if i == widths.count { widths.append(0) }
                widths[i] = max(widths[i], cell.count)
            }
        }
        return lines.map { line in
            line.enumerated().map { i, cell in
                let pad = String(repeating: " ", count: widths[i] - cell.count)
                return i >= rightFrom && i <= through ? pad + cell : cell + pad
            }.joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }
    }
}
