import CacheCore
import Dispatch

/// Reads a cache file's blocks ahead, on a background thread, while the caller restores the
/// blocks already read — the loader's two-stage pipeline.
///
/// ```swift
/// let blocks = BlockPrefetcher(reader: try CacheFileReader(path: path))
/// defer { blocks.finish() }
/// while let block = try blocks.next() {     // CRC-checked, inflated
///     … block.records …
///     blocks.recycle(block)
/// }
/// ```
///
/// The background stage does the file's I/O, checksums and decompression, leaving each
/// block's records in one of a few buffers (``CacheFileReader/nextBlock(into:)``); the
/// caller's stage parses entries and inserts them into the cache. The two cost
/// about the same, so on two cores a load takes about half as long as doing both in turn
/// (`statecache bench persist`). At most ``depth`` blocks are read ahead.
///
/// The first problem the reader meets is delivered by ``next()`` after the blocks before it.
/// ``finish()`` (also when the caller stops early) stops the background stage and waits for
/// it, so the reader and its file are never used after the caller has moved on.
final class BlockPrefetcher: @unchecked Sendable {
    /// A block's records and entry count, in a buffer the caller gives back with ``recycle(_:)``.
    struct Block {
        let buffer: OutputBuffer
        let count: Int
        var records: UnsafeRawBufferPointer { buffer.bytes }
    }

    private enum Item {
        case block(Block)
        case end
        case failure(CacheFileProblem)
    }

    /// Blocks read ahead at most.
    let depth: Int
    /// Only the background stage uses the reader once it started.
    private let reader: CacheFileReader
    /// Counts the items queued for the caller.
    private let ready = DispatchSemaphore(value: 0)
    /// Counts the free buffers. Created at zero and raised to ``depth`` in `init`: libdispatch
    /// traps when a semaphore is destroyed with a value below the one it was created with,
    /// which is exactly the state an early stop leaves (blocks still out, never recycled).
    /// Starting at zero makes every value it can hold at `deinit` legal.
    private let free = DispatchSemaphore(value: 0)
    /// Signalled once when the background stage exits.
    private let done = DispatchSemaphore(value: 0)
    private let state: Locked<State>
    private var finished = false

    private struct State {
        var items: [Item] = []
        var buffers: [OutputBuffer]
        var cancelled = false
    }

    /// Starts reading `reader`'s blocks in the background.
    init(reader: CacheFileReader, depth: Int = 4) {
        self.reader = reader
        self.depth = depth
        for _ in 0..<depth { free.signal() }
        // Buffers start at the file's size when it is small, and grow to the blocks they carry.
        let capacity = Swift.min(CacheFile.targetBlockSize, reader.fileSize)
        state = Locked(State(buffers: (0..<depth).map { _ in OutputBuffer(capacity: capacity) }))
        DispatchQueue.global(qos: .userInitiated).async { self.produce() }
    }

    deinit { finish() }

    /// The background stage: read, check, copy out, hand over; until the end, a problem, or
    /// cancellation.
    private func produce() {
        defer { done.signal() }
        while true {
            free.wait()
            guard let buffer = state.withLock({ $0.cancelled ? nil : $0.buffers.popLast() }) else { return }
            let item: Item
            do throws(CacheFileProblem) {
                if let count = try reader.nextBlock(into: buffer) {
                    item = .block(Block(buffer: buffer, count: count))
                } else {
                    item = .end
                }
            } catch {
                item = .failure(error)
            }
            state.withLock { $0.items.append(item) }
            ready.signal()
            if case .block = item { continue }
            return
        }
    }

    /// The next block, nil after the last; throws the reader's problem in its place.
    func next() throws(CacheFileProblem) -> Block? {
        ready.wait()
        let item = state.withLock { $0.items.removeFirst() }
        switch item {
        case .block(let block): return block
        case .end: return nil
        case .failure(let problem): throw problem
        }
    }

    /// Gives a block's buffer back for the next read.
    func recycle(_ block: Block) {
        state.withLock { $0.buffers.append(block.buffer) }
        free.signal()
    }

    /// Stops the background stage and waits until it has exited (idempotent; the caller's
    /// thread only).
    func finish() {
        guard !finished else { return }
        finished = true
        state.withLock { $0.cancelled = true }
        free.signal()  // wakes the stage if it waits for a buffer
        done.wait()
    }
}
