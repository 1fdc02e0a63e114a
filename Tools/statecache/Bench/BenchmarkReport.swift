import Foundation

/// One measured figure, printed next to the baseline measured in the same run.
///
/// The ratio `value / baselineValue` is the figure that matters on a shared, noisy machine:
/// both numbers saw the same load.
struct BenchmarkRow: Codable, Sendable {
    /// The group the row belongs to (`cache`, `trace`, `storage`, …).
    var group: String
    /// What was measured, e.g. `mixed-zipf 256B 2 threads`.
    var name: String
    /// The measured figure.
    var value: Double
    /// Its unit, e.g. `ops/s`, `records/s`, `MB/s`.
    var unit: String
    /// What the baseline is, e.g. `Dictionary 1 thread`; nil when the row has none.
    var baseline: String?
    /// The baseline's figure in the same unit.
    var baselineValue: Double?
    /// `value / baselineValue` (higher is better for throughput units).
    var ratio: Double?
    /// Free-form extras (hit rate, target, …).
    var notes: [String: Double] = [:]

    init(group: String, name: String, value: Double, unit: String,
         baseline: String? = nil, baselineValue: Double? = nil, notes: [String: Double] = [:]) {
        self.group = group
        self.name = name
        self.value = value
        self.unit = unit
        self.baseline = baseline
        self.baselineValue = baselineValue
        self.ratio = baselineValue.flatMap { $0 > 0 ? value / $0 : nil }
        self.notes = notes
    }
}

/// Prints benchmark rows as one aligned table.
enum BenchmarkTable {
    static func render(_ rows: [BenchmarkRow]) -> String {
        let header = ["group", "benchmark", "value", "unit", "baseline", "baseline value", "ratio", "notes"]
        var lines: [[String]] = [header]
        for row in rows {
            let notes = row.notes.sorted { $0.key < $1.key }
                .map { "\($0.key)=\(format($0.value))" }.joined(separator: " ")
            lines.append([row.group, row.name, format(row.value), row.unit, row.baseline ?? "",
                          row.baselineValue.map(format) ?? "", row.ratio.map { String(format: "%.2fx", $0) } ?? "",
                          notes])
        }
        var widths = [Int](repeating: 0, count: header.count)
        for line in lines { for (i, cell) in line.enumerated() { widths[i] = max(widths[i], cell.count) } }
        return lines.map { line in
            line.enumerated().map { i, cell in
                i == 2 || i == 5 || i == 6
                    ? String(repeating: " ", count: widths[i] - cell.count) + cell
                    : cell + String(repeating: " ", count: widths[i] - cell.count)
            }.joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }.joined(separator: "\n")
    }

    static func format(_ value: Double) -> String {
        if value >= 1000 { return String(format: "%.0f", value) }
        if value >= 10 { return String(format: "%.1f", value) }
        return String(format: "%.3f", value)
    }
}
