/// A file read through one large buffer: ``fill(_:)`` makes bytes available, ``consume(_:)``
/// steps over them. The buffer grows only for a block larger than itself, whose size the
/// caller has already bounded by what is left in the file.
final class BufferedInput {
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
            let n = try file.read(into: buffer + end, count: capacity - end)
            if n == 0 { return false }
            end += n
        }
        return true
    }

    /// Steps over `count` available bytes.
    func consume(_ count: Int) {
        start += count
        position += count
    }
}
