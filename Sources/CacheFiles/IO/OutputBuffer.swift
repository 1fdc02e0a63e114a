import CacheCore

/// A growable byte buffer in raw memory: the blocks the writer builds, the LZ4 scratch
/// space, and the blocks the prefetcher hands to the loader.
///
/// Raw memory rather than `[UInt8]` so that records are stored with plain unaligned stores
/// and `memcpy`, with no bounds or uniqueness checks per byte; every store is preceded by a
/// capacity check (``reserve(_:)``).
///
/// `@unchecked Sendable`: a buffer belongs to one thread at a time and changes hands only
/// through a queue or semaphore (the writer's and the prefetcher's pipelines), which orders
/// every access before the handover ahead of every access after it.
final class OutputBuffer: @unchecked Sendable {
    private(set) var base: UnsafeMutableRawPointer
    private(set) var capacity: Int
    /// Bytes in use, from `base`.
    var count = 0

    init(capacity: Int) {
        self.capacity = Swift.max(1, capacity)
        base = UnsafeMutableRawPointer.allocate(byteCount: self.capacity, alignment: 64)
    }

    deinit { base.deallocate() }

    /// The bytes in use.
    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }

    /// Grows the buffer (keeping its bytes) so that `needed` more bytes fit.
    func reserve(_ needed: Int) {
        guard count + needed > capacity else { return }
        let grown = Swift.max(capacity * 2, count + needed)
        let bigger = UnsafeMutableRawPointer.allocate(byteCount: grown, alignment: 64)
        bigger.copyMemory(from: base, byteCount: count)
        base.deallocate()
        base = bigger
        capacity = grown
    }

    /// Appends raw bytes.
    func append(_ bytes: UnsafeRawBufferPointer) {
        reserve(bytes.count)
        if let source = bytes.baseAddress { (base + count).copyMemory(from: source, byteCount: bytes.count) }
        count += bytes.count
    }

    /// Appends `entry`'s record (``CacheFile`` layout; room must have been reserved).
    @inline(__always) func appendRecord(_ entry: PersistedEntry) {
        let record = base + count
        BigEndian.store(entry.key.oid.rawValue, record, at: 0)
        BigEndian.store(entry.key.tid.rawValue, record, at: 8)
        BigEndian.store(entry.actualTID.rawValue, record, at: 16)
        record.storeBytes(of: entry.frequency, toByteOffset: 24, as: UInt8.self)
        record.storeBytes(of: entry.region.rawValue, toByteOffset: 25, as: UInt8.self)
        BigEndian.store(UInt32(entry.payload.count), record, at: 26)
        entry.payload.withUnsafeBytes { payload in
            if let source = payload.baseAddress {
                (record + CacheFile.entryHeaderSize).copyMemory(from: source, byteCount: payload.count)
            }
        }
        count += CacheFile.entryHeaderSize + entry.payload.count
    }
}
