#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The text forms of a ``SweepReport``: an aligned table for people, CSV for spreadsheets,
/// JSON for programs (`--format table|csv|json`).
///
/// ```text
/// $ cache-simul --policy all --sizes 0.05,0.1,0.2 fixtures/zeo/traces/zeo-app.trace
/// zeo-app.trace: 15,979 records → 6,552 requests, …
///
///      size       lru  wtinylfu       opt
///   0.05 MB    24.07%    25.11%    33.59%
/// ```
public enum SweepReportFormatter {
    /// The output formats.
    public enum Format: String, Sendable, CaseIterable {
        case table, csv, json
    }

    /// The report in `format`, ending with a newline.
    public static func render(_ report: SweepReport, format: Format) -> String {
        switch format {
        case .table: return table(report)
        case .csv: return csv(report)
        case .json: return json(report)
        }
    }

    /// A description of the run, then sizes down and policies across, hit rates in percent.
    public static func table(_ report: SweepReport) -> String {
        let summary = report.operations
        var text = "\(report.trace): \(ThousandsSeparator.format(summary.records)) records → "
            + "\(ThousandsSeparator.format(report.requests)) requests, \(ThousandsSeparator.format(summary.stores)) stores, "
            + "\(ThousandsSeparator.format(summary.invalidations)) invalidations, \(ThousandsSeparator.format(summary.restarts)) restarts; "
            + "\(ThousandsSeparator.format(report.objects)) objects\n"
        var notes: [String] = []
        if summary.foldedLoads > 0 || summary.fills > 0 {
            notes.append("\(ThousandsSeparator.format(summary.foldedLoads)) repeated miss records folded, "
                         + "\(ThousandsSeparator.format(summary.fills)) fills merged into their requests")
        }
        if summary.ignoredRecords > 0 { notes.append("\(ThousandsSeparator.format(summary.ignoredRecords)) meaningless records ignored") }
        if summary.skippedHeaders > 0 { notes.append("\(ThousandsSeparator.format(summary.skippedHeaders)) torn headers skipped") }
        notes.append(report.settings.coldRestarts ? "restarts clear the cache" : "restarts keep the cache")
        if report.policies.contains("wtinylfu") {
            var note = "W-TinyLFU \(report.settings.adaptation), window \(CFormat.fixed(100 * report.settings.windowFraction, precision: 1))%"
            switch report.settings.shards {
            case "1": break
            case "auto": note += ", as many shards as the cache makes at each size"
            default: note += ", \(report.settings.shards) shards"
            }
            notes.append(note)
        }
        if report.isBytes {
            notes.append("entry = state + \(report.settings.entryOverhead ?? 0) B, states ≥ \(ThousandsSeparator.format(report.settings.objectMax ?? 0)) B not cached")
        } else {
            notes.append("every entry weighs 1")
        }
        text += "(" + notes.joined(separator: "; ") + ")\n\n"

        let policies = report.policies
        let hitRates = report.hitRateTable()
        var rows: [[String]] = [["size"] + policies]
        for capacity in report.capacities {
            rows.append([report.capacityLabel(capacity)] + policies.map { policy in
                hitRates[policy]?[capacity].map { CFormat.fixed($0, precision: 2) + "%" } ?? "-"
            })
        }
        let widths = (0 ..< rows[0].count).map { column in rows.map { $0[column].count }.max() ?? 0 }
        for row in rows {
            text += row.enumerated().map { column, cell in
                String(repeating: " ", count: widths[column] + (column == 0 ? 1 : 2) - cell.count) + cell
            }.joined() + "\n"
        }
        return text
    }

    /// `policy,capacity,unit,requests,hits,hit_rate`, one row per policy and size.
    public static func csv(_ report: SweepReport) -> String {
        var text = "policy,capacity,unit,requests,hits,hit_rate\n"
        for row in report.results {
            text += "\(row.policy),\(row.capacity),\(row.unit),\(row.requests),\(row.hits),"
                + CFormat.fixed(row.hitRate, precision: 4) + "\n"
        }
        return text
    }

    /// The whole ``SweepReport`` as pretty-printed JSON with sorted keys.
    public static func json(_ report: SweepReport) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        guard let data = try? encoder.encode(report) else { return "{}\n" }
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}
