import CacheAnalysis
import CacheCore

/// Makes fuzz case number `index` of a run from the run's seed: the same (seed, index) always
/// gives the same case, so a case can be made again from its number alone.
///
/// About a third of the cases are **broken by construction** — an empty file, less than one
/// record, a refused compressor's magic, a gzip or xz container cut short or damaged past its
/// unchecked header bytes, a binary key trace ending inside a key, a text line that no format
/// allows, a line expanding to more than `KeyTraceReader.maximumKeysPerLine` keys, any change
/// to a cache file, an invalid command-line value — and carry the reason
/// (``FuzzCase/broken``): every reader must refuse them and every tool exit non-zero. The
/// rest are mutated seeds that may or may not be valid: they must only not crash or hang.
struct CaseGenerator {
    let seeds: SeedCorpus
    let runSeed: UInt64

    /// The generator of case `index` (SplitMix64 of the run's seed and the index).
    func random(for index: Int) -> SplitMix64 {
        var mixer = SplitMix64(seed: runSeed ^ (UInt64(index) &* 0x9E37_79B9_7F4A_7C15))
        return SplitMix64(seed: mixer.next())
    }

    func make(_ target: FuzzTarget, index: Int) -> FuzzCase {
        var mutator = Mutator(random: random(for: index))
        switch target {
        case .trace: return traceCase(&mutator)
        case .convert: return convertCase(&mutator)
        case .cacheFile: return cacheFileCase(&mutator)
        case .options: return optionsCase(&mutator)
        }
    }

    // MARK: - Traces

    private func traceCase(_ m: inout Mutator) -> FuzzCase {
        let seed = seeds.traces.randomElement(using: &m.random)!
        let other = seeds.traces.randomElement(using: &m.random)!
        var label = "seed \(seed.name)"
        let arguments = ToolArguments.validTraceArguments(&m)
        let roll = m.int(0 ..< 100)
        if roll < 4 {
            return FuzzCase(target: .trace, label: "empty file", arguments: arguments, bytes: [], broken: "an empty file")
        }
        if roll < 8 {
            let count = m.int(1 ..< 26)
            return FuzzCase(target: .trace, label: label + "; first \(count) byte(s)", arguments: arguments,
                            bytes: Array(seed.bytes.prefix(count)), broken: "\(count) byte(s): not one whole record")
        }
        var (bytes, done) = m.chance(70) ? m.mutate(seed.bytes, text: false, splice: other.bytes) : (seed.bytes, [])
        label += done.isEmpty ? "" : "; " + done.joined(separator: "; ")
        if roll < 14 {
            let refused = CompressedContainer.refusedMagics.randomElement(using: &m.random)!
            return FuzzCase(target: .trace, label: label + "; \(refused.name) magic", arguments: arguments,
                            bytes: refused.bytes + bytes, broken: "\(refused.name) data")
        }
        if roll < 26 {
            return damagedContainer(.trace, format: "", bytes, label: label, arguments: arguments, &m)
        }
        if m.chance(20) {
            let container = CompressedContainer.allCases.randomElement(using: &m.random)!
            bytes = container.wrap(bytes)
            label += "; \(container.rawValue)"
        }
        return FuzzCase(target: .trace, label: label, arguments: arguments, bytes: bytes)
    }

    /// `bytes` in a gzip or xz container that is then cut short or damaged where every byte is
    /// checked: broken by construction.
    private func damagedContainer(_ target: FuzzTarget, format: String, _ bytes: [UInt8], label: String,
                                  arguments: [String], _ m: inout Mutator) -> FuzzCase {
        let container = CompressedContainer.allCases.randomElement(using: &m.random)!
        var wrapped = container.wrap(bytes)
        let what: String
        if m.chance(50) {
            let length = m.int(1 ..< wrapped.count)
            wrapped.removeSubrange(length...)
            what = "\(container.rawValue) cut to \(length) of its bytes"
        } else {
            let at = m.int(container.checkedBytes(count: wrapped.count))
            wrapped[at] ^= 1 << UInt8(m.int(0 ..< 8))
            what = "\(container.rawValue) with a bit flipped at byte \(at)"
        }
        return FuzzCase(target: target, format: format, label: label + "; " + what, arguments: arguments,
                        bytes: wrapped, broken: what)
    }

    // MARK: - Research traces

    private func convertCase(_ m: inout Mutator) -> FuzzCase {
        let format = KeyTraceFormat.allCases.randomElement(using: &m.random)!
        let pool = seeds.keyTraces[format.rawValue]!
        let seed = pool.randomElement(using: &m.random)!
        let other = pool.randomElement(using: &m.random)!
        var label = "seed \(seed.name)"
        let roll = m.int(0 ..< 100)
        func made(_ bytes: [UInt8], _ broken: String? = nil) -> FuzzCase {
            FuzzCase(target: .convert, format: format.rawValue, label: label, bytes: bytes, broken: broken)
        }
        if roll < 4 { label = "empty file"; return made([], "an empty file") }
        if roll < 12 {
            if let width = format.recordSize {
                var bytes = seed.bytes
                let cut = m.int(1 ..< width)
                if bytes.count < width { bytes += [UInt8](repeating: 0x5A, count: width) }
                bytes.removeLast(cut)
                label += "; last \(cut) byte(s) cut"
                return made(bytes, "ends inside a \(width)-byte key")
            }
            let bytes = insertingLine("zz!", into: seed.bytes, &m)
            label += "; a line 'zz!'"
            return made(bytes, "a line that is not \(format.rawValue)")
        }
        if roll < 18 && (format == .arc || format == .umassStorage) {
            let count = [KeyTraceReader.maximumKeysPerLine + 1, Int(Int32.max), 1 << 24].randomElement(using: &m.random)!
            let line = format == .arc ? "7 \(count) 0 0" : "0,16,\(min(Int(Int32.max), count * 512)),r,0.0"
            label += "; a line '\(line)'"
            return made(insertingLine(line, into: seed.bytes, &m), "a line expanding to more than "
                        + "\(KeyTraceReader.maximumKeysPerLine) keys")
        }
        var (bytes, done) = m.mutate(seed.bytes, text: format.isText, splice: other.bytes)
        label += "; " + done.joined(separator: "; ")
        if roll < 24 {
            let refused = CompressedContainer.refusedMagics.randomElement(using: &m.random)!
            label += "; \(refused.name) magic"
            return made(refused.bytes + bytes, "\(refused.name) data")
        }
        if roll < 34 {
            return damagedContainer(.convert, format: format.rawValue, bytes, label: label, arguments: [], &m)
        }
        if m.chance(20) {
            let container = CompressedContainer.allCases.randomElement(using: &m.random)!
            bytes = container.wrap(bytes)
            label += "; \(container.rawValue)"
        }
        return made(bytes)
    }

    /// `bytes` with `line` inserted at the start of a line.
    private func insertingLine(_ line: String, into bytes: [UInt8], _ m: inout Mutator) -> [UInt8] {
        let starts = [0] + bytes.indices.filter { bytes[$0] == 0x0A }.map { $0 + 1 }
        var result = bytes
        result.insert(contentsOf: Array((line + "\n").utf8), at: starts.randomElement(using: &m.random)!)
        return result
    }

    // MARK: - Cache files

    private func cacheFileCase(_ m: inout Mutator) -> FuzzCase {
        let seed = seeds.cacheFiles.randomElement(using: &m.random)!
        let other = seeds.cacheFiles.randomElement(using: &m.random)!
        if m.chance(3) {
            return FuzzCase(target: .cacheFile, label: "seed \(seed.name); unchanged", bytes: seed.bytes)
        }
        let (bytes, done) = m.mutate(seed.bytes, text: false, splice: other.bytes)
        let label = "seed \(seed.name); " + done.joined(separator: "; ")
        return FuzzCase(target: .cacheFile, label: label, bytes: bytes,
                        broken: bytes == seed.bytes ? nil : "a changed cache file")
    }

    // MARK: - Command lines

    private func optionsCase(_ m: inout Mutator) -> FuzzCase {
        let seed = seeds.traces.randomElement(using: &m.random)!
        let (arguments, broken) = ToolArguments.commandLine(&m)
        return FuzzCase(target: .options, label: "seed \(seed.name); " + arguments.joined(separator: " "),
                        arguments: arguments, bytes: seed.bytes, broken: broken)
    }
}
