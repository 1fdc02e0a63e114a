/// The text formats whose keys Caffeine's simulator derives from more than a number: gradle,
/// adapt-size, wikipedia, umass-storage and umass-youtube. Each follows its Caffeine reader
/// (`simulator/…/parser/<format>/*TraceReader.java`), so the keys are the ones Caffeine's
/// policies see; where Caffeine would throw (a missing field, a number that does not parse) the
/// line is refused with its number, never skipped.
extension KeyTraceReader {
    /// Gradle (`GradleTraceReader`): the line is a hexadecimal number — Java's
    /// `new BigInteger(line, 16)`, optionally signed, here up to 32 digits (a 128-bit build-cache
    /// key) — and the key is `(n >> 64) ^ n` truncated to 64 bits: high half XOR low half, in
    /// two's complement for a negative number.
    func gradleKeys(_ fields: [Slice<UnsafeRawBufferPointer>], line: UnsafeRawBufferPointer, lineNumber: Int,
                    _ body: (UInt64, Int) throws(KeyTraceError) -> Void) throws(KeyTraceError) -> Int {
        guard fields.count == 1, var (high, low) = KeyTraceReader.hexadecimal128(fields[0]) else {
            throw malformed(lineNumber, line, "expected one hexadecimal number of 1 to 32 digits")
        }
        if fields[0].first == UInt8(ascii: "-") {
            // −n in 128-bit two's complement: the bits Java's BigInteger shows below bit 128.
            (high, low) = (~high &+ (low == 0 ? 1 : 0), ~low &+ 1)
        }
        try body(high ^ low, 0)
        return 1
    }

    /// AdaptSize (`AdaptSizeTraceReader`): `time id size`, both numbers Java `long`s; the size
    /// saturates to an `int` (the weight), and the key is Guava's `murmur3_128` of
    /// `putLong(id).putInt(weight)` — AdaptSize's simulator treats one id at two sizes as two
    /// objects. The time is not read (Caffeine ignores it). The size is the access's size.
    func adaptSizeKeys(_ fields: [Slice<UnsafeRawBufferPointer>], line: UnsafeRawBufferPointer, lineNumber: Int,
                       _ body: (UInt64, Int) throws(KeyTraceError) -> Void) throws(KeyTraceError) -> Int {
        guard fields.count == 3 else { throw malformed(lineNumber, line, "expected 'time id size'") }
        guard let id = KeyTraceReader.signedDecimal(fields[1]) else {
            throw malformed(lineNumber, line, "the id is not a decimal 64-bit integer")
        }
        guard let size = KeyTraceReader.signedDecimal(fields[2]), size >= 0 else {
            throw malformed(lineNumber, line, "the size is not a decimal number of bytes from 0 to 2^63-1")
        }
        let weight = Int32(clamping: size)  // Guava's Ints.saturatedCast
        try body(Murmur3.hashLongInt(id, weight), Int(weight))
        return 1
    }

    /// Wikipedia (`WikipediaTraceReader`, wikibench's `counter timestamp url flag`): only reads
    /// (flag `-`; `save` lines are skipped) of URLs longer than 12 characters. The path is what
    /// follows the first `/` after the host (the whole URL if there is none), with `%2F`, `%20`,
    /// `&amp;` and `%3A` decoded in that order; searches, user and talk pages, diffs, rollbacks,
    /// logins and API calls are skipped (TraceBench's filters). The key is Guava's
    /// `murmur3_128().hashUnencodedChars(path)`, the line read as ISO-8859-1.
    func wikipediaKeys(_ fields: [Slice<UnsafeRawBufferPointer>], line: UnsafeRawBufferPointer, lineNumber: Int,
                       _ body: (UInt64, Int) throws(KeyTraceError) -> Void) throws(KeyTraceError) -> Int {
        guard fields.count >= 3, let flag = fields.last,
              flag.elementsEqual("-".utf8) || flag.elementsEqual("save".utf8) else {
            throw malformed(lineNumber, line, "expected 'counter timestamp url -' (or 'save')")
        }
        guard flag.elementsEqual("-".utf8) else { return 0 }
        let url = Array(fields[fields.count - 2])
        guard url.count > 12, let path = KeyTraceReader.wikipediaPath(url) else { return 0 }
        try body(Murmur3.hashLatin1Chars(path), 0)
        return 1
    }

    /// The filters of `WikipediaTraceReader.isAllowed`: a path starting with one of these …
    static let wikipediaSkippedPrefixes: [[UInt8]] = [
        "wiki/Special:Search", "w/query.php", "wiki/Talk:", "wiki/Special:AutoLogin",
        "Special:UserLogin", "w/api.php", "error:",
    ].map { Array($0.utf8) }
    /// … or containing one of these is skipped.
    static let wikipediaSkippedParts: [[UInt8]] = [
        "?search=", "&search=", "User+talk", "User_talk", "User:", "Talk:", "&diff=",
        "&action=rollback", "Special:Watchlist",
    ].map { Array($0.utf8) }
    /// The decodings of `WikipediaTraceReader.getPath`, applied in this order.
    static let wikipediaReplacements: [(search: [UInt8], replacement: [UInt8])] = [
        ("%2F", "/"), ("%20", " "), ("&amp;", "&"), ("%3A", ":"),
    ].map { (Array($0.0.utf8), Array($0.1.utf8)) }

    /// The path of a wikibench URL, decoded, or `nil` if the request is filtered out.
    static func wikipediaPath(_ url: [UInt8]) -> [UInt8]? {
        // Java: url.indexOf('/', url.indexOf("//") + 2), "//" absent → from index 1.
        let searchFrom = (firstRange(of: Array("//".utf8), in: url, from: 0)?.lowerBound ?? -1) + 2
        var path: [UInt8]
        if let slash = url[min(searchFrom, url.count)...].firstIndex(of: UInt8(ascii: "/")) {
            path = Array(url[(slash + 1)...])
            for (search, replacement) in wikipediaReplacements {
                path = replacingAll(search, with: replacement, in: path)
            }
        } else {
            path = url
        }
        if wikipediaSkippedPrefixes.contains(where: { path.starts(with: $0) }) { return nil }
        if wikipediaSkippedParts.contains(where: { firstRange(of: $0, in: path, from: 0) != nil }) { return nil }
        return path
    }

    private static func firstRange(of needle: [UInt8], in haystack: [UInt8], from start: Int) -> Range<Int>? {
        guard !needle.isEmpty, haystack.count >= needle.count, start <= haystack.count - needle.count else { return nil }
        for index in start ... haystack.count - needle.count
        where haystack[index] == needle[0] && haystack[index ..< index + needle.count].elementsEqual(needle) {
            return index ..< index + needle.count
        }
        return nil
    }

    /// Every non-overlapping occurrence, left to right (commons-lang's `Strings.CS.replace`).
    private static func replacingAll(_ search: [UInt8], with replacement: [UInt8], in text: [UInt8]) -> [UInt8] {
        guard var found = firstRange(of: search, in: text, from: 0) else { return text }
        var result: [UInt8] = []
        var copied = 0
        while true {
            result += text[copied ..< found.lowerBound]
            result += replacement
            copied = found.upperBound
            guard let next = firstRange(of: search, in: text, from: copied) else { break }
            found = next
        }
        result += text[copied...]
        return result
    }

    /// UMass storage (`StorageTraceReader`, the SPC format `ASU,LBA,size,opcode,timestamp`):
    /// writes (opcode `w`) are skipped; a read of `size` bytes is its ⌈size / 512⌉ blocks, keys
    /// `ASU << 40 | (LBA + i) & (2⁴⁰ − 1)` (Java `long` arithmetic). Caffeine skips a line of
    /// fewer than five fields silently; here it is refused, as is an opcode other than r or w.
    func umassStorageKeys(_ line: UnsafeRawBufferPointer, lineNumber: Int,
                          _ body: (UInt64, Int) throws(KeyTraceError) -> Void) throws(KeyTraceError) -> Int {
        var trimmed = line[...]
        while let first = trimmed.first, first <= 0x20 { trimmed = trimmed.dropFirst() }
        while let last = trimmed.last, last <= 0x20 { trimmed = trimmed.dropLast() }
        if trimmed.isEmpty { return 0 }
        let fields = trimmed.split(separator: UInt8(ascii: ","), maxSplits: 4, omittingEmptySubsequences: false)
        guard fields.count == 5 else { throw malformed(lineNumber, line, "expected 'ASU,LBA,size,opcode,timestamp'") }
        guard let opcode = fields[3].first, "rRwW".utf8.contains(opcode) else {
            throw malformed(lineNumber, line, "the opcode is not r or w")
        }
        if opcode == UInt8(ascii: "w") || opcode == UInt8(ascii: "W") { return 0 }
        guard let asu = KeyTraceReader.signedDecimal(fields[0]) else {
            throw malformed(lineNumber, line, "the ASU is not a decimal 64-bit integer")
        }
        guard let block = KeyTraceReader.signedDecimal(fields[1]) else {
            throw malformed(lineNumber, line, "the LBA is not a decimal 64-bit integer")
        }
        guard let size = KeyTraceReader.signedDecimal(fields[2]), size >= 0, size <= Int64(Int32.max) else {
            throw malformed(lineNumber, line, "the size is not a number of bytes from 0 to 2,147,483,647")
        }
        let blocks = Int((size + 511) / 512)
        guard blocks <= KeyTraceReader.maximumKeysPerLine else {
            throw tooManyKeys(lineNumber, line, "a read of \(size) bytes (\(blocks) blocks)")
        }
        let unit = UInt64(bitPattern: asu) << 40
        for step in 0 ..< blocks {
            try body(unit | (UInt64(bitPattern: block) &+ UInt64(step)) & 0xFF_FFFF_FFFF, 0)
        }
        return blocks
    }

    /// UMass YouTube (`YoutubeTraceReader`, `time server client request video …`): `GETVIDEO`
    /// requests only; the key is Guava's `murmur3_128().hashUnencodedChars(video)`.
    func umassYoutubeKeys(_ fields: [Slice<UnsafeRawBufferPointer>], line: UnsafeRawBufferPointer, lineNumber: Int,
                          _ body: (UInt64, Int) throws(KeyTraceError) -> Void) throws(KeyTraceError) -> Int {
        guard fields.count >= 5 else { throw malformed(lineNumber, line, "expected 'time server client request video …'") }
        guard fields[3].elementsEqual("GETVIDEO".utf8) else { return 0 }
        try body(Murmur3.hashLatin1Chars(fields[4]), 0)
        return 1
    }

    /// A decimal Java `long` (`Long.parseLong`): optionally signed, from −2⁶³ to 2⁶³ − 1.
    static func signedDecimal(_ text: Slice<UnsafeRawBufferPointer>) -> Int64? {
        guard let value = decimal(text) else { return nil }
        if text.first == UInt8(ascii: "-") { return Int64(bitPattern: value) }
        return value <= UInt64(Int64.max) ? Int64(value) : nil
    }

    /// 1 to 32 hexadecimal digits, optionally signed, as the high and low 64 bits of its magnitude.
    static func hexadecimal128(_ text: Slice<UnsafeRawBufferPointer>) -> (UInt64, UInt64)? {
        var digits = text[...]
        if let sign = digits.first, sign == UInt8(ascii: "-") || sign == UInt8(ascii: "+") { digits = digits.dropFirst() }
        guard !digits.isEmpty, digits.count <= 32 else { return nil }
        var high: UInt64 = 0, low: UInt64 = 0
        for byte in digits {
            guard let digit = hexDigit(byte) else { return nil }
            high = high << 4 | low >> 60
            low = low << 4 | UInt64(digit)
        }
        return (high, low)
    }
}
