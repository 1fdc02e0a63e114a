import CCacheSync

/// The storage of a ``WindowTinyLFU`` policy: nodes in one contiguous array, linked into LRU
/// queues by 32-bit indices, recycled through a free list.
///
/// Keeping nodes in an array instead of one heap object per entry means an insert allocates
/// nothing once the array has grown, and the queues cost 8 bytes of links per entry.
///
/// **Ownership.** The arena is a value that owns its nodes and, through them, each entry's
/// payload. A slot is handed out by ``allocate(_:)`` and given back by ``release(_:)``, both
/// called only by the owning ``WindowTinyLFU`` (insert, restore; remove, evict), exactly once
/// each: a released slot sits on the free list, with no payload, until ``allocate(_:)`` hands
/// it out again. Only the policy's queues and its ``SlotIndex`` may hold a slot number of a
/// live node, and both drop it before the release. A slot number may outlive its entry in one
/// place only: ``CacheShard``'s hit log, whose numbers ``WindowTinyLFU/recordHit(slot:)``
/// checks (in range, ``isLive(_:)``) before it touches the node. ``removeAll`` of the policy
/// replaces the whole arena and empties the logs.
///
/// **Unsafe code.** The accessors below read and link nodes in place through one pointer per
/// call (see ``node(_:in:)``): every slot they are given is checked against the array's
/// bounds, in release builds too, so a stale or negative slot stops the program instead of
/// writing outside the buffer. ``checkInvariants()`` checks the free list.
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
    /// The slot must be live and already out of every queue and the index.
    @inline(__always) mutating func release(_ slot: Int32) {
        let i = Int(slot)
        precondition(nodes[i].previous != -2, "node \(slot) released twice")
        nodes[i].payload = []
        nodes[i].weight = 0
        nodes[i].previous = -2
        nodes[i].next = freeList
        freeList = slot
    }

    // The queue operations work through one unsafe pointer per call: an array element read
    // through `ContiguousArray`'s subscript copies the whole node (retaining its payload),
    // which callgrind showed costing more than the list work itself. Every slot goes through
    // `node(_:in:)`, which checks it against the buffer's bounds: the unchecked subscript of an
    // unsafe buffer checks nothing in a release build.

    /// The node of `slot` in `buffer`: stops the program unless `slot` is within the buffer.
    @inline(__always) static func node(_ slot: Int32, in buffer: UnsafeBufferPointer<Node>) -> UnsafePointer<Node> {
        precondition(UInt(bitPattern: Int(slot)) < UInt(buffer.count), "node slot \(slot) outside the arena")
        return buffer.baseAddress.unsafelyUnwrapped + Int(slot)
    }

    /// The node of `slot` in `buffer`, to change in place (bounds-checked like ``node(_:in:)``).
    @inline(__always) static func node(_ slot: Int32, in buffer: UnsafeMutableBufferPointer<Node>) -> UnsafeMutablePointer<Node> {
        precondition(UInt(bitPattern: Int(slot)) < UInt(buffer.count), "node slot \(slot) outside the arena")
        return buffer.baseAddress.unsafelyUnwrapped + Int(slot)
    }

    /// A field of `slot`'s node, read in place.
    @inline(__always) func region(_ slot: Int32) -> WindowTinyLFU.Region {
        nodes.withUnsafeBufferPointer { NodeArena.node(slot, in: $0).pointee.region }
    }

    /// Whether `slot` holds an entry (rather than sitting on the free list).
    @inline(__always) func isLive(_ slot: Int32) -> Bool {
        nodes.withUnsafeBufferPointer { NodeArena.node(slot, in: $0).pointee.previous != -2 }
    }

    /// `slot`'s key, read in place.
    @inline(__always) func key(_ slot: Int32) -> CacheKey {
        nodes.withUnsafeBufferPointer { NodeArena.node(slot, in: $0).pointee.key }
    }

    /// `slot`'s neighbour towards the LRU end, read in place.
    @inline(__always) func previous(_ slot: Int32) -> Int32 {
        nodes.withUnsafeBufferPointer { NodeArena.node(slot, in: $0).pointee.previous }
    }

    /// `slot`'s neighbour towards the MRU end, read in place.
    @inline(__always) func next(_ slot: Int32) -> Int32 {
        nodes.withUnsafeBufferPointer { NodeArena.node(slot, in: $0).pointee.next }
    }

    /// `slot`'s weight, read in place.
    @inline(__always) func weight(_ slot: Int32) -> Int {
        nodes.withUnsafeBufferPointer { NodeArena.node(slot, in: $0).pointee.weight }
    }

    /// `slot`'s sketch hash, read in place.
    @inline(__always) func hashCode(_ slot: Int32) -> UInt32 {
        nodes.withUnsafeBufferPointer { NodeArena.node(slot, in: $0).pointee.hashCode }
    }

    /// `slot`'s value, read in place (one retain: the payload handed out).
    @inline(__always) func value(_ slot: Int32) -> ObjectState {
        nodes.withUnsafeBufferPointer { buffer in
            let node = NodeArena.node(slot, in: buffer)
            return ObjectState(state: node.pointee.payload, tid: node.pointee.actualTID)
        }
    }

    /// Asks the CPU to fetch the nodes of `slots` (those within the arena), to be written
    /// soon: a hint that dereferences nothing (``WindowTinyLFU/prefetchHits(_:count:)``).
    @inline(__always) func prefetchNodes(_ slots: UnsafePointer<Int32>, count: Int) {
        nodes.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            for position in 0 ..< count where UInt(bitPattern: Int(slots[position])) < UInt(buffer.count) {
                statecache_prefetch_for_write(base + Int(slots[position]))
            }
        }
    }

    /// Asks the CPU to fetch the node of `slot`, to be written soon; skips a slot outside the
    /// arena (−1: an empty queue's end). A hint: dereferences nothing.
    @inline(__always) func prefetchNode(_ slot: Int32) {
        nodes.withUnsafeBufferPointer { buffer in
            guard UInt(bitPattern: Int(slot)) < UInt(buffer.count), let base = buffer.baseAddress else { return }
            statecache_prefetch_for_write(base + Int(slot))
        }
    }

    /// Asks the CPU to fetch the header of the live `slot`'s payload buffer (its release writes
    /// the count). Reads the node; the address is only a hint.
    @inline(__always) func prefetchPayload(of slot: Int32) {
        nodes.withUnsafeBufferPointer { buffer in
            NodeArena.prefetchPayload(of: NodeArena.node(slot, in: buffer))
        }
    }

    /// Asks the CPU to fetch the header of `node`'s payload buffer: the address is read as a
    /// plain word, so no reference is taken (reading the array through `pointee` could retain
    /// and release it), and nothing is dereferenced through it.
    @inline(__always) static func prefetchPayload(of node: UnsafePointer<Node>) {
        let address = UnsafeRawPointer(node).load(fromByteOffset: payloadOffset, as: UInt.self)
        statecache_prefetch_for_write(UnsafeRawPointer(bitPattern: address))
    }

    /// Where a node keeps its payload array (one reference: the buffer's address).
    @inline(__always) private static var payloadOffset: Int { MemoryLayout<Node>.offset(of: \Node.payload)! }

    /// Asks the CPU to fetch the nodes beside `slot` in its queue, which moving `slot` will
    /// write; reads `slot`'s links when `slot` is within the arena, and skips a neighbour
    /// outside it (a hint: nothing is dereferenced).
    @inline(__always) func prefetchNeighbours(of slot: Int32) {
        nodes.withUnsafeBufferPointer { buffer in
            guard UInt(bitPattern: Int(slot)) < UInt(buffer.count), let base = buffer.baseAddress else { return }
            let node = base + Int(slot)
            let previous = node.pointee.previous, next = node.pointee.next
            if UInt(bitPattern: Int(previous)) < UInt(buffer.count) { statecache_prefetch_for_write(base + Int(previous)) }
            if UInt(bitPattern: Int(next)) < UInt(buffer.count) { statecache_prefetch_for_write(base + Int(next)) }
        }
    }

    /// Appends `slot` at the most recent end of `queue`.
    @inline(__always) mutating func pushTail(_ slot: Int32, _ queue: inout Queue) {
        link(slot, after: queue.tail, before: -1, &queue)
    }

    /// Inserts `slot` at the least recent end of `queue`.
    @inline(__always) mutating func pushHead(_ slot: Int32, _ queue: inout Queue) {
        link(slot, after: -1, before: queue.head, &queue)
    }

    /// Links `slot` into `queue` between the neighbours `previous` and `next` (−1: that end of
    /// the queue), which must be adjacent there: the inverse of ``unlink(_:_:)``.
    @inline(__always) private mutating func link(_ slot: Int32, after previous: Int32, before next: Int32,
                                                 _ queue: inout Queue) {
        nodes.withUnsafeMutableBufferPointer { n in
            let node = NodeArena.node(slot, in: n)
            node.pointee.previous = previous
            node.pointee.next = next
            if previous >= 0 { NodeArena.node(previous, in: n).pointee.next = slot } else { queue.head = slot }
            if next >= 0 { NodeArena.node(next, in: n).pointee.previous = slot } else { queue.tail = slot }
            queue.count += 1
            queue.weight += node.pointee.weight
        }
    }

    /// Takes `slot` out of `queue`; `slot` must be a live node (a free one has no place in a
    /// queue: its links are the free list's).
    @inline(__always) mutating func unlink(_ slot: Int32, _ queue: inout Queue) {
        nodes.withUnsafeMutableBufferPointer { n in
            let node = NodeArena.node(slot, in: n)
            let previous = node.pointee.previous
            let next = node.pointee.next
            precondition(previous != -2, "unlinking free node \(slot)")
            if previous >= 0 { NodeArena.node(previous, in: n).pointee.next = next } else { queue.head = next }
            if next >= 0 { NodeArena.node(next, in: n).pointee.previous = previous } else { queue.tail = previous }
            queue.count -= 1
            queue.weight -= node.pointee.weight
        }
    }

    /// Moves `slot` to the most recent end of `queue`.
    @inline(__always) mutating func moveToTail(_ slot: Int32, _ queue: inout Queue) {
        guard queue.tail != slot else { return }
        unlink(slot, &queue)
        pushTail(slot, &queue)
    }

    /// Checks the free list: every free node is marked free (`previous` −2), holds no payload
    /// and no weight, and appears once; returns how many there are. Stops the program naming
    /// the first broken node.
    @discardableResult
    func checkInvariants() -> Int {
        var free = 0
        var slot = freeList
        while slot >= 0 {
            precondition(Int(slot) < nodes.count, "the free list names slot \(slot) outside the arena")
            let node = nodes[Int(slot)]
            precondition(node.previous == -2, "free node \(slot) is still linked")
            precondition(node.payload.isEmpty && node.weight == 0, "free node \(slot) still holds its payload")
            free += 1
            precondition(free <= nodes.count, "a cycle in the free list")
            slot = node.next
        }
        return free
    }
}
