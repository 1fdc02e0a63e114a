/// One fuzz input: the bytes of a file, the arguments a tool gets with it, and — when the
/// input was built to be broken — why, so that accepting it is a failure.
///
/// A case is saved as a small file (``encoded()``): a few header lines, then the raw bytes.
/// The supervisor saves the case that was running when the driver died or hung; `--replay`
/// runs saved cases again (the regression fixtures in `fixtures/fuzz/crashers`).
struct FuzzCase: Equatable, Sendable {
    /// The reader the case is for.
    var target: FuzzTarget
    /// The input format for `convert` cases (a `KeyTraceFormat` name); empty otherwise.
    var format: String = ""
    /// What was done to which seed, for messages ("seed small.trace; flip 3 bits; gzip").
    var label: String
    /// The tool arguments beside the input file (`cache-simul`/`cache-stats` options).
    var arguments: [String] = []
    /// The input file's content.
    var bytes: [UInt8]
    /// Why the input is broken by construction (every reader must refuse it, every tool exit
    /// non-zero with a one-line message); nil when it may well be valid.
    var broken: String?

    /// The first line of a saved case.
    static let magic = "statecache-fuzz-case 1"

    /// The case as a file: `key: value` lines, `argument:` once per argument, then
    /// `bytes: N` and the N raw bytes.
    func encoded() -> [UInt8] {
        var text = FuzzCase.magic + "\n"
        text += "target: \(target.rawValue)\n"
        if !format.isEmpty { text += "format: \(format)\n" }
        text += "label: \(FuzzCase.oneLine(label))\n"
        if let broken { text += "broken: \(FuzzCase.oneLine(broken))\n" }
        for argument in arguments { text += "argument: \(FuzzCase.oneLine(argument))\n" }
        text += "bytes: \(bytes.count)\n"
        return Array(text.utf8) + bytes
    }

    /// A saved case, or nil if `data` is not one.
    init?(encoded data: [UInt8]) {
        var position = 0
        var fields: [(key: String, value: String)] = []
        while position < data.count {
            guard let newline = data[position...].firstIndex(of: 0x0A) else { return nil }
            let line = String(decoding: data[position ..< newline], as: UTF8.self)
            position = newline + 1
            if fields.isEmpty && line != FuzzCase.magic { return nil }
            guard let colon = line.firstIndex(of: ":") else {
                fields.append((key: "magic", value: ""))
                continue
            }
            let key = String(line[..<colon])
            let value = String(line[line.index(after: colon)...].drop { $0 == " " })
            guard key == "bytes" else {
                fields.append((key: key, value: value))
                continue
            }
            guard let count = Int(value), count == data.count - position,
                  let target = fields.first(where: { $0.key == "target" }).flatMap({ FuzzTarget(rawValue: $0.value) })
            else { return nil }
            self.target = target
            format = fields.first { $0.key == "format" }?.value ?? ""
            label = fields.first { $0.key == "label" }?.value ?? ""
            broken = fields.first { $0.key == "broken" }?.value
            arguments = fields.filter { $0.key == "argument" }.map(\.value)
            bytes = Array(data[position...])
            return
        }
        return nil
    }

    init(target: FuzzTarget, format: String = "", label: String, arguments: [String] = [], bytes: [UInt8],
         broken: String? = nil) {
        self.target = target
        self.format = format
        self.label = label
        self.arguments = arguments
        self.bytes = bytes
        self.broken = broken
    }

    /// `text` with line breaks replaced, so it fits one header line.
    static func oneLine(_ text: String) -> String {
        String(text.map { $0 == "\n" || $0 == "\r" ? " " : $0 })
    }
}
