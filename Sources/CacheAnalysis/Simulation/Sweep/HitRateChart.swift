#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A hit-rate-versus-size chart of a sweep, as a self-contained SVG file (`--plot FILE.svg`)
/// that any browser renders: one line per policy, the optimum drawn as the ceiling with the
/// unreachable region above it shaded, labelled axes and a legend.
///
/// ```swift
/// let svg = HitRateChart.svg(report)
/// try svg.write(toFile: "hit-rates.svg", atomically: true, encoding: .utf8)
/// ```
///
/// Sizes spread over more than a factor of 10 are drawn on a logarithmic axis (cache sizes
/// are usually swept in doublings), otherwise on a linear one; every simulated size gets a
/// tick. The hit-rate axis starts at 0.
public enum HitRateChart {
    static let width = 860.0, height = 500.0
    static let left = 72.0, right = 200.0, top = 56.0, bottom = 64.0
    /// Line colours by policy (colour-blind-safe Okabe–Ito tones).
    static let colours = ["lru": "#0072B2", "wtinylfu": "#D55E00", "circular": "#009E73", "opt": "#555555",
                          "arc": "#E69F00", "lirs": "#56B4E9", "2q": "#CC79A7", "s3fifo": "#882255"]

    /// The chart as SVG text.
    public static func svg(_ report: SweepReport) -> String {
        let capacities = report.capacities
        let plotWidth = width - left - right, plotHeight = height - top - bottom
        let smallest = Double(capacities.first ?? 1), largest = Double(capacities.last ?? 1)
        let logarithmic = smallest > 0 && largest / smallest > 10
        func x(_ capacity: Int) -> Double {
            guard largest > smallest else { return left + plotWidth / 2 }
            let fraction = logarithmic
                ? (log2(Double(capacity)) - log2(smallest)) / (log2(largest) - log2(smallest))
                : (Double(capacity) - smallest) / (largest - smallest)
            return left + fraction * plotWidth
        }
        let highest = report.results.map(\.hitRate).max() ?? 0
        // Headroom above the highest point, in whole tens, at most 100%.
        let yMaximum = min(100, max(10, ((highest + 3) / 10).rounded(.up) * 10))
        func y(_ rate: Double) -> Double { top + plotHeight * (1 - rate / yMaximum) }

        var svg = """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(format(width))" height="\(format(height))" \
            viewBox="0 0 \(format(width)) \(format(height))" font-family="Helvetica, Arial, sans-serif" font-size="12">
            <rect width="100%" height="100%" fill="white"/>
            <text x="\(format(left + plotWidth / 2))" y="26" text-anchor="middle" font-size="15" font-weight="bold">\
            Hit rate by cache size — \(escape(traceName(report.trace)))</text>
            <text x="\(format(left + plotWidth / 2))" y="44" text-anchor="middle" fill="#555">\
            \(escape(subtitle(report)))</text>

            """
        // The unreachable region above the optimum, then the grid.
        let hitRates = report.hitRateTable()
        let optimum = capacities.compactMap { capacity in hitRates["opt"]?[capacity].map { (capacity, $0) } }
        if !optimum.isEmpty {
            var points = optimum.map { "\(format(x($0.0))),\(format(y($0.1)))" }
            if optimum.count == 1 {
                points = ["\(format(x(optimum[0].0) - 6)),\(format(y(optimum[0].1)))",
                          "\(format(x(optimum[0].0) + 6)),\(format(y(optimum[0].1)))"]
            }
            let first = optimum.count == 1 ? x(optimum[0].0) - 6 : x(optimum.first!.0)
            let last = optimum.count == 1 ? x(optimum[0].0) + 6 : x(optimum.last!.0)
            svg += "<polygon points=\"\(format(first)),\(format(top)) \(points.joined(separator: " ")) "
                + "\(format(last)),\(format(top))\" fill=\"#bbbbbb\" fill-opacity=\"0.35\"/>\n"
        }
        let step = yMaximum <= 40 ? 5.0 : 10.0
        var tick = 0.0
        while tick <= yMaximum + 0.001 {
            svg += "<line x1=\"\(format(left))\" x2=\"\(format(left + plotWidth))\" y1=\"\(format(y(tick)))\" "
                + "y2=\"\(format(y(tick)))\" stroke=\"#e4e4e4\"/>\n"
            svg += "<text x=\"\(format(left - 8))\" y=\"\(format(y(tick) + 4))\" text-anchor=\"end\">\(format(tick))%</text>\n"
            tick += step
        }
        let labelEvery = max(1, (capacities.count + 11) / 12)
        for (index, capacity) in capacities.enumerated() {
            svg += "<line x1=\"\(format(x(capacity)))\" x2=\"\(format(x(capacity)))\" y1=\"\(format(top))\" "
                + "y2=\"\(format(top + plotHeight))\" stroke=\"#f0f0f0\"/>\n"
            if index % labelEvery == 0 || index == capacities.count - 1 {
                let label = report.isBytes ? SimulationCapacity.megabytesLabel(capacity) : ThousandsSeparator.format(capacity)
                svg += "<text x=\"\(format(x(capacity)))\" y=\"\(format(top + plotHeight + 18))\" "
                    + "text-anchor=\"middle\">\(label)</text>\n"
            }
        }
        svg += "<rect x=\"\(format(left))\" y=\"\(format(top))\" width=\"\(format(plotWidth))\" "
            + "height=\"\(format(plotHeight))\" fill=\"none\" stroke=\"#333\"/>\n"
        let unit = report.isBytes ? "cache size (MB of 10⁶ bytes\(logarithmic ? ", log scale" : ""))"
                                  : "cache size (entries\(logarithmic ? ", log scale" : ""))"
        svg += "<text x=\"\(format(left + plotWidth / 2))\" y=\"\(format(height - 18))\" text-anchor=\"middle\">\(unit)</text>\n"
        svg += "<text transform=\"translate(20 \(format(top + plotHeight / 2))) rotate(-90)\" "
            + "text-anchor=\"middle\">hit rate (% of requests)</text>\n"

        // One line per policy, the optimum last (on top), dashed.
        let policies = report.policies.filter { $0 != "opt" } + (optimum.isEmpty ? [] : ["opt"])
        for policy in policies {
            let colour = colours[policy] ?? "#000000"
            let points = capacities.compactMap { capacity in hitRates[policy]?[capacity].map { (capacity, $0) } }
            let dash = policy == "opt" ? " stroke-dasharray=\"6 4\"" : ""
            if points.count > 1 {
                svg += "<polyline fill=\"none\" stroke=\"\(colour)\" stroke-width=\"2.2\"\(dash) points=\""
                    + points.map { "\(format(x($0.0))),\(format(y($0.1)))" }.joined(separator: " ") + "\"/>\n"
            }
            for (capacity, rate) in points {
                svg += "<circle cx=\"\(format(x(capacity)))\" cy=\"\(format(y(rate)))\" r=\"3.5\" fill=\"\(colour)\">"
                    + "<title>\(policy) at \(escape(report.capacityLabel(capacity))): \(CFormat.fixed(rate, precision: 2))%</title></circle>\n"
            }
        }

        // The legend.
        let legendX = left + plotWidth + 20
        var legendY = top + 10
        for policy in policies {
            let colour = colours[policy] ?? "#000000"
            let dash = policy == "opt" ? " stroke-dasharray=\"6 4\"" : ""
            svg += "<line x1=\"\(format(legendX))\" x2=\"\(format(legendX + 28))\" y1=\"\(format(legendY))\" "
                + "y2=\"\(format(legendY))\" stroke=\"\(colour)\" stroke-width=\"2.2\"\(dash)/>\n"
            svg += "<text x=\"\(format(legendX + 36))\" y=\"\(format(legendY + 4))\">\(legendName(policy))</text>\n"
            legendY += 22
        }
        if !optimum.isEmpty {
            svg += "<rect x=\"\(format(legendX))\" y=\"\(format(legendY - 7))\" width=\"28\" height=\"14\" "
                + "fill=\"#bbbbbb\" fill-opacity=\"0.35\" stroke=\"#999\"/>\n"
            svg += "<text x=\"\(format(legendX + 36))\" y=\"\(format(legendY + 4))\">above the optimum:</text>\n"
            svg += "<text x=\"\(format(legendX + 36))\" y=\"\(format(legendY + 19))\">out of reach</text>\n"
        }
        svg += "</svg>\n"
        return svg
    }

    static func legendName(_ policy: String) -> String {
        switch policy {
        case "lru": return "LRU"
        case "arc": return "ARC"
        case "lirs": return "LIRS"
        case "2q": return "2Q"
        case "s3fifo": return "S3-FIFO"
        case "wtinylfu": return "W-TinyLFU (ours)"
        case "opt": return "optimum (Bélády)"
        case "circular": return "ZEO circular file"
        default: return escape(policy)
        }
    }

    /// The trace's file name without its folders (`-` for standard input).
    static func traceName(_ path: String) -> String {
        path.split(separator: "/").last.map(String.init) ?? path
    }

    static func subtitle(_ report: SweepReport) -> String {
        var parts = ["\(ThousandsSeparator.format(report.requests)) requests", "\(ThousandsSeparator.format(report.objects)) objects"]
        if report.policies.contains("wtinylfu") {
            parts.append("W-TinyLFU \(report.settings.adaptation), window \(CFormat.fixed(100 * report.settings.windowFraction, precision: 1))%")
        }
        parts.append(report.settings.coldRestarts ? "restarts clear the cache" : "restarts keep the cache")
        return parts.joined(separator: " · ")
    }

    /// A coordinate with at most one decimal (`12`, `12.5`).
    static func format(_ value: Double) -> String {
        var text = CFormat.fixed(value, precision: 1)
        if text.hasSuffix(".0") { text.removeLast(2) }
        return text
    }

    /// Text with XML's special characters escaped.
    static func escape(_ text: String) -> String {
        var escaped = ""
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            default: escaped.append(character)
            }
        }
        return escaped
    }
}
