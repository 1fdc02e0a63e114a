/// A file read through one large buffer: ``fill(_:)`` makes bytes available, ``consume(_:)``
/// steps over them, and ``read(into:count:)`` copies bytes out, reading whatever is not
/// buffered yet straight into the caller's memory. The buffer grows only for a block larger
/// than itself, whose size the caller has already bounded by what is left in the file.
///
/// A fill reads what it needs rounded up to ``readAhead`` (never more than the buffer holds),
/// not the whole buffer: the bodies of uncompressed blocks then go from the kernel to their
/// block buffer in one copy (through ``read(into:count:)``) instead of two.
final class BufferedInput {
    /// The least a fill asks the kernel for: small reads cost a system call each, and the
    /// kernel's own read-ahead (widened for a sequential reader, ``PosixFile/adviseSequential()``)
    /// keeps the device busy between them.
    static let readAhead = 256 << 10

    private let file: PosixFile
    /// `buffer[start..<end]` holds the file's bytes from offset ``position``.
    private var buffer: UnsafeMutableRawPointer
    private var capacity: Int
    private var start = 0
    private var end = 0
    /// The file offset of the first available byte.
    private(set) var position = 0

    init(file: PosixFile, capacity: Int) {
        self.file = file
        self.capacity = capacity
        buffer = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 64)
    }

    deinit { buffer.deallocate() }

    /// The first available byte (valid until the next ``fill(_:)``).
    var bytes: UnsafeRawPointer { UnsafeRawPointer(buffer + start) }
    /// How many bytes are available.
    var available: Int { end - start }

    /// Makes at least `needed` bytes available; false if the file ends first.
    func fill(_ needed: Int) throws(CacheFileProblem) -> Bool {
        if end - start >= needed { return true }
        if needed > capacity - start {
            // Move what is left to the front, growing the buffer for a block larger than it.
            let available = end - start
            if needed > capacity {
                let grown = UnsafeMutableRawPointer.allocate(byteCount: needed, alignment: 64)
                grown.copyMemory(from: buffer + start, byteCount: available)
                buffer.deallocate()
                buffer = grown
                capacity = needed
            } else if available > 0 {
                buffer.copyMemory(from: buffer + start, byteCount: available)  // memmove: ranges may overlap
            }
            start = 0
            end = available
        }
        while end - start < needed {
            let wanted = Swift.min(capacity - end, Swift.max(needed - (end - start), BufferedInput.readAhead))
            let n = try file.read(into: buffer + end, count: wanted)
            if n == 0 { return false }
            end += n
        }
        return true
    }

    /// Copies the next `count` bytes of the file to `target` and steps over them: the buffered
    /// ones by a copy, the rest by reading straight into `target`. False if the file ends
    /// first (then what was read is consumed and `target` holds it).
    func read(into target: UnsafeMutableRawPointer, count: Int) throws(CacheFileProblem) -> Bool {
        let buffered = Swift.min(count, end - start)
        if buffered > 0 { target.copyMemory(from: buffer + start, byteCount: buffered) }
        consume(buffered)
        guard count > buffered else { return true }
        let n = try file.read(into: target + buffered, count: count - buffered)
        position += n
        return n == count - buffered
    }

    /// Steps over `count` available bytes.
    func consume(_ count: Int) {
        start += count
        position += count
    }
}
