/// How many records carried each function code (the code byte without its version flag and
/// low bit: `0x00`, `0x02`, … `0x7E`), for the statistics block of `cache-stats`.
///
/// Counted once per record, so kept out of an array: 64 counters held inline (a `SIMD64`
/// value, 512 bytes), incremented through their bytes — no bounds check, no uniqueness check
/// of an array buffer, no allocation. ``byCode`` gives ZEO's 128-entry table at the end.
struct FunctionCodeCounts {
    private var counters = SIMD64<Int64>()

    /// Counts one record of `function`'s code (its bits 1–6 pick the counter).
    @inline(__always)
    mutating func count(_ function: UInt8) {
        // (function & 0x7E) / 2 is below 64, so the 8-byte counter at 4 × (function & 0x7E)
        // lies inside `counters`' 512 bytes.
        let offset = Int(function & 0x7E) &<< 2
        withUnsafeMutableBytes(of: &counters) { bytes in
            let count = bytes.load(fromByteOffset: offset, as: Int64.self)
            bytes.storeBytes(of: count &+ 1, toByteOffset: offset, as: Int64.self)
        }
    }

    /// The counts indexed by code byte, 128 entries (odd codes never counted), as ZEO keeps them.
    var byCode: [Int] {
        (0 ..< 128).map { code in code & 1 == 0 ? Int(counters[code >> 1]) : 0 }
    }
}
