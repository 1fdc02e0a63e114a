/// The blocks of ZEO's simulated cache file, in address order, as a ring split at the write
/// pointer — the structure behind ``CircularCacheSimulation``.
///
/// ZEO's simulation keeps the file as a dictionary `offset → (size, entry or free)` and walks
/// it from the write pointer when it makes room. The blocks always tile the file
/// `[12, limit)`, and every change happens at the write pointer: room is made by taking the
/// blocks that start there, one after another, and the new entry plus the leftover free bytes
/// go back in their place. So the file is kept here as one ring read from the write pointer:
///
/// ```text
///  ring, from `head`:  [ blocks from the pointer to the end of the file | blocks from 12 to the pointer ]
///                        `afterCount` blocks (the oldest, taken next)     the newest, appended at the back
/// ```
///
/// Taking a block is ``popFront()``, the new entry is ``pushBack(size:owner:)`` (it ends just
/// before the pointer), the leftover is ``pushFront(size:owner:)`` (it starts at the pointer), and
/// wrapping the pointer back to 12 moves the blocks still ahead of the pointer to the back of
/// the ring (``wrap(moved:)``) — all O(1), the last amortized. A block freed elsewhere (an invalidation, a move) is only marked free in place
/// (``markFree(slot:)``), exactly as ZEO leaves free blocks uncoalesced until the pointer
/// reaches them.
///
/// Slots are physical ring positions; they stay valid until the ring grows, which sets
/// ``didGrow`` so the owner can look its entries' slots up again (``forEachEntry(_:)``).
struct CircularBlockRing: Sendable {
    /// Block sizes in bytes, by physical slot.
    private(set) var sizes: [Int]
    /// The entry stored in each block, or −1 for free space.
    private(set) var owners: [Int32]
    /// The physical slot of the block at the write pointer.
    private var head = 0
    private var mask: Int
    /// Blocks in the ring.
    private(set) var count = 0
    /// Blocks from the write pointer to the end of the file (the front of the ring).
    private(set) var afterCount = 0
    /// Set when the storage grew (slots moved); the owner clears it.
    var didGrow = false

    /// One free block covering `size` bytes (the whole file after its header).
    init(freeBytes size: Int) {
        sizes = [Int](repeating: 0, count: 64)
        owners = [Int32](repeating: -1, count: 64)
        mask = 63
        sizes[0] = size
        count = 1
        afterCount = 1
    }

    /// The block at the write pointer: removed from the ring.
    @inline(__always) mutating func popFront() -> (size: Int, owner: Int32) {
        let slot = head
        head = (head + 1) & mask
        count -= 1
        afterCount -= 1
        return (sizes[slot], owners[slot])
    }

    /// A block that starts at the write pointer (the leftover of the last allocation).
    @inline(__always) mutating func pushFront(size: Int, owner: Int32) {
        if count == sizes.count { grow() }
        head = (head - 1) & mask
        sizes[head] = size
        owners[head] = owner
        count += 1
        afterCount += 1
    }

    /// A block that ends at the write pointer (the entry just written); returns its slot.
    @inline(__always) mutating func pushBack(size: Int, owner: Int32) -> Int32 {
        if count == sizes.count { grow() }
        let slot = (head + count) & mask
        sizes[slot] = size
        owners[slot] = owner
        count += 1
        return Int32(slot)
    }

    /// The write pointer went back to the start of the file: every block is now ahead of it.
    ///
    /// The blocks between the old pointer and the end of the file move from the front of the
    /// ring to its back (they now come last in file order); `slots[entry]` is updated for the
    /// entries among them. Wrapping happens when the next entry does not fit before the end of
    /// the file, so only the few blocks of that last stretch move: amortized O(1).
    @inline(__always) mutating func wrap(moved: inout [Int32]) {
        for _ in 0 ..< afterCount {
            let from = head
            head = (head + 1) & mask
            let to = (head + count - 1) & mask
            sizes[to] = sizes[from]
            owners[to] = owners[from]
            if owners[to] >= 0 {
                moved.append(owners[to])
                moved.append(Int32(to))
            }
        }
        afterCount = count
    }

    /// The size of the block in `slot`.
    @inline(__always) func size(slot: Int32) -> Int { sizes[Int(slot)] }

    /// Marks the block in `slot` free (its bytes stay where they are).
    @inline(__always) mutating func markFree(slot: Int32) { owners[Int(slot)] = -1 }

    /// Doubles the storage, laying the blocks out from slot 0, and sets ``didGrow``.
    private mutating func grow() {
        let capacity = sizes.count * 2
        var newSizes = [Int](repeating: 0, count: capacity)
        var newOwners = [Int32](repeating: -1, count: capacity)
        for index in 0 ..< count {
            let slot = (head + index) & mask
            newSizes[index] = sizes[slot]
            newOwners[index] = owners[slot]
        }
        sizes = newSizes
        owners = newOwners
        head = 0
        mask = capacity - 1
        didGrow = true
    }

    /// Calls `body(entry, slot)` for every block that holds an entry.
    func forEachEntry(_ body: (Int32, Int32) -> Void) {
        for index in 0 ..< count {
            let slot = (head + index) & mask
            if owners[slot] >= 0 { body(owners[slot], Int32(slot)) }
        }
    }

    /// The blocks in file order from the start of the file (for invariant checks and tests):
    /// the back part of the ring (12 … pointer), then the front part (pointer … end).
    func blocksInFileOrder() -> [(size: Int, owner: Int32)] {
        var blocks: [(size: Int, owner: Int32)] = []
        blocks.reserveCapacity(count)
        for index in afterCount ..< count {
            let slot = (head + index) & mask
            blocks.append((sizes[slot], owners[slot]))
        }
        for index in 0 ..< afterCount {
            let slot = (head + index) & mask
            blocks.append((sizes[slot], owners[slot]))
        }
        return blocks
    }
}
