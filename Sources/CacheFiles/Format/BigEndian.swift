/// Big-endian integers at byte offsets of raw memory — the only way cache-file code touches
/// file bytes. Unaligned loads and stores (the file packs fields without padding); callers
/// check bounds before calling (each record's size is validated against its buffer first).
enum BigEndian {
    @inline(__always) static func store<T: FixedWidthInteger>(_ value: T, _ base: UnsafeMutableRawPointer, at offset: Int) {
        base.storeBytes(of: value.bigEndian, toByteOffset: offset, as: T.self)
    }

    @inline(__always) static func load<T: FixedWidthInteger>(_ type: T.Type, _ base: UnsafeRawPointer, at offset: Int) -> T {
        T(bigEndian: base.loadUnaligned(fromByteOffset: offset, as: T.self))
    }
}
