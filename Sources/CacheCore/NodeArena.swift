/// The storage of a ``WindowTinyLFU`` policy: nodes in one contiguous array, linked into LRU
/// queues by 32-bit indices, recycled through a free list.
///
/// Keeping nodes in an array instead of one heap object per entry means an insert allocates
/// nothing once the array has grown, and the queues cost 8 bytes of links per entry.
@usableFromInline struct NodeArena: Sendable {
    /// One stored entry: value, weight, sketch hash and its place in a queue.
    @usableFromInline struct Node: Sendable {
        @usableFromInline var key: CacheKey
        @usableFromInline var actualTID: TransactionID
        @usableFromInline var payload: [UInt8]
        @usableFromInline var weight: Int
        @usableFromInline var hashCode: UInt32
        @usableFromInline var region: WindowTinyLFU.Region
        /// Towards the LRU end (−1: none; −2: a free node).
        @usableFromInline var previous: Int32
        /// Towards the MRU end (−1: none); links the free list for free nodes.
        @usableFromInline var next: Int32
    }

    /// A doubly linked LRU queue threaded through the nodes: `head` is the least recent.
    @usableFromInline struct Queue: Sendable, Equatable {
        @usableFromInline var head: Int32 = -1
        @usableFromInline var tail: Int32 = -1
        @usableFromInline var count = 0
        @usableFromInline var weight = 0
    }

    /// The nodes; lookups read this reference under shared access, and only growth changes it.
    @usableFromInline var nodes: ContiguousArray<Node> = []
    /// Keeps ``freeList``, which every insert and eviction writes, off the line of ``nodes``.
    private var padding = LinePadding()
    /// The first free slot (−1: none); free nodes link on through `next`.
    @usableFromInline var freeList: Int32 = -1

    /// Stores `node` in a free slot (or a new one) and returns the slot.
    @inline(__always) mutating func allocate(_ node: Node) -> Int32 {
        if freeList >= 0 {
            let slot = freeList
            freeList = nodes[Int(slot)].next
            nodes[Int(slot)] = node
            return slot
        }
        precondition(nodes.count < Int(Int32.max), "too many cache entries")
        nodes.append(node)
        return Int32(nodes.count - 1)
    }

    /// Returns a slot to the free list, dropping its payload so its memory is released now.
    @inline(__always) mutating func release(_ slot: Int32) {
        let i = Int(slot)
        nodes[i].payload = []
        nodes[i].weight = 0
        nodes[i].previous = -2
        nodes[i].next = freeList
        freeList = slot
    }

    // The queue operations work through one unsafe pointer per call: an array element read
    // through `ContiguousArray`'s subscript copies the whole node (retaining its payload),
    // which callgrind showed costing more than the list work itself. Indices are always live
    // slots (the policy's invariants), so the pointer never leaves the buffer.

    /// A field of `slot`'s node, read in place.
    @inline(__always) func region(_ slot: Int32) -> WindowTinyLFU.Region {
        nodes.withUnsafeBufferPointer { ($0.baseAddress! + Int(slot)).pointee.region }
    }

    /// Whether `slot` holds an entry (rather than sitting on the free list).
    @inline(__always) func isLive(_ slot: Int32) -> Bool {
        nodes.withUnsafeBufferPointer { ($0.baseAddress! + Int(slot)).pointee.previous != -2 }
    }

    /// `slot`'s key, read in place.
    @inline(__always) func key(_ slot: Int32) -> CacheKey {
        nodes.withUnsafeBufferPointer { ($0.baseAddress! + Int(slot)).pointee.key }
    }

    /// `slot`'s neighbour towards the LRU end, read in place.
    @inline(__always) func previous(_ slot: Int32) -> Int32 {
        nodes.withUnsafeBufferPointer { ($0.baseAddress! + Int(slot)).pointee.previous }
    }

    /// `slot`'s neighbour towards the MRU end, read in place.
    @inline(__always) func next(_ slot: Int32) -> Int32 {
        nodes.withUnsafeBufferPointer { ($0.baseAddress! + Int(slot)).pointee.next }
    }

    /// `slot`'s weight, read in place.
    @inline(__always) func weight(_ slot: Int32) -> Int {
        nodes.withUnsafeBufferPointer { ($0.baseAddress! + Int(slot)).pointee.weight }
    }

    /// `slot`'s sketch hash, read in place.
    @inline(__always) func hashCode(_ slot: Int32) -> UInt32 {
        nodes.withUnsafeBufferPointer { ($0.baseAddress! + Int(slot)).pointee.hashCode }
    }

    /// `slot`'s value, read in place (one retain: the payload handed out).
    @inline(__always) func value(_ slot: Int32) -> (actualTID: TransactionID, payload: [UInt8]) {
        nodes.withUnsafeBufferPointer { buffer in
            let node = buffer.baseAddress! + Int(slot)
            return (node.pointee.actualTID, node.pointee.payload)
        }
    }

    /// Appends `slot` at the most recent end of `queue`.
    @inline(__always) mutating func pushTail(_ slot: Int32, _ queue: inout Queue) {
        nodes.withUnsafeMutableBufferPointer { n in
            let i = Int(slot)
            n[i].previous = queue.tail
            n[i].next = -1
            if queue.tail >= 0 { n[Int(queue.tail)].next = slot } else { queue.head = slot }
            queue.tail = slot
            queue.count += 1
            queue.weight += n[i].weight
        }
    }

    /// Inserts `slot` at the least recent end of `queue`.
    @inline(__always) mutating func pushHead(_ slot: Int32, _ queue: inout Queue) {
        nodes.withUnsafeMutableBufferPointer { n in
            let i = Int(slot)
            n[i].previous = -1
            n[i].next = queue.head
            if queue.head >= 0 { n[Int(queue.head)].previous = slot } else { queue.tail = slot }
            queue.head = slot
            queue.count += 1
            queue.weight += n[i].weight
        }
    }

    /// Takes `slot` out of `queue`.
    @inline(__always) mutating func unlink(_ slot: Int32, _ queue: inout Queue) {
        nodes.withUnsafeMutableBufferPointer { n in
            let i = Int(slot)
            let previous = n[i].previous
            let next = n[i].next
            if previous >= 0 { n[Int(previous)].next = next } else { queue.head = next }
            if next >= 0 { n[Int(next)].previous = previous } else { queue.tail = previous }
            queue.count -= 1
            queue.weight -= n[i].weight
        }
    }

    /// Moves `slot` to the most recent end of `queue`.
    @inline(__always) mutating func moveToTail(_ slot: Int32, _ queue: inout Queue) {
        guard queue.tail != slot else { return }
        unlink(slot, &queue)
        pushTail(slot, &queue)
    }
}
