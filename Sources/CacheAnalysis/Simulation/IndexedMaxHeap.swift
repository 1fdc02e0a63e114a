/// A binary max-heap of objects (dense ids) keyed by integers, that knows where each object
/// sits, so a key can be changed or an object removed in O(log n) — the victim queue of
/// ``OptimalSimulator``.
///
/// ```swift
/// var heap = IndexedMaxHeap(objectCount: 3)
/// heap.set(0, key: 10); heap.set(2, key: 30)
/// heap.popMax()   // 2
/// ```
///
/// Slots hold (key, object) pairs side by side, so a sift step reads one cache line per level.
///
/// **Invariant** (checked by ``isValid``): every parent's key ≥ its children's keys, and
/// `position[heap[i].object] == i` for every slot.
struct IndexedMaxHeap: Sendable {
    struct Slot: Sendable {
        var key: Int
        var object: Int32
    }

    private(set) var slots: [Slot] = []
    /// Where each object sits in the heap, or −1.
    private var position: [Int32]

    init(objectCount: Int) {
        position = [Int32](repeating: -1, count: objectCount)
    }

    var count: Int { slots.count }
    var isEmpty: Bool { slots.isEmpty }

    func contains(_ object: Int32) -> Bool { position[Int(object)] >= 0 }

    /// The objects in heap order.
    var objects: [Int32] { slots.map(\.object) }

    /// The object with the largest key.
    var max: Int32? { slots.first?.object }

    /// Inserts `object` with `key`, or changes its key. O(log n).
    mutating func set(_ object: Int32, key: Int) {
        let at = Int(position[Int(object)])
        if at < 0 {
            slots.append(Slot(key: key, object: object))
            siftUp(slots.count - 1)
        } else {
            let old = slots[at].key
            slots[at].key = key
            if key > old { siftUp(at) } else { siftDown(at) }
        }
    }

    /// Removes and returns the object with the largest key. O(log n).
    mutating func popMax() -> Int32? {
        guard let top = slots.first?.object else { return nil }
        remove(at: 0)
        return top
    }

    /// Removes `object` if present. O(log n).
    mutating func remove(_ object: Int32) {
        let at = Int(position[Int(object)])
        if at >= 0 { remove(at: at) }
    }

    /// Empties the heap.
    mutating func removeAll() {
        for slot in slots { position[Int(slot.object)] = -1 }
        slots.removeAll(keepingCapacity: true)
    }

    private mutating func remove(at index: Int) {
        position[Int(slots[index].object)] = -1
        let last = slots.removeLast()
        guard index < slots.count else { return }
        slots[index] = last
        position[Int(last.object)] = Int32(index)
        siftDown(index)
        siftUp(index)
    }

    private mutating func siftUp(_ start: Int) {
        var child = start
        let moving = slots[child]
        while child > 0 {
            let parent = (child - 1) / 2
            guard slots[parent].key < moving.key else { break }
            slots[child] = slots[parent]
            position[Int(slots[child].object)] = Int32(child)
            child = parent
        }
        slots[child] = moving
        position[Int(moving.object)] = Int32(child)
    }

    private mutating func siftDown(_ start: Int) {
        var parent = start
        let moving = slots[parent]
        let count = slots.count
        while true {
            var child = 2 * parent + 1
            guard child < count else { break }
            if child + 1 < count && slots[child + 1].key > slots[child].key { child += 1 }
            guard slots[child].key > moving.key else { break }
            slots[parent] = slots[child]
            position[Int(slots[parent].object)] = Int32(parent)
            parent = child
        }
        slots[parent] = moving
        position[Int(moving.object)] = Int32(parent)
    }

    /// Whether the heap order and the position index hold (tests).
    var isValid: Bool {
        for index in slots.indices {
            if position[Int(slots[index].object)] != Int32(index) { return false }
            if index > 0 && slots[(index - 1) / 2].key < slots[index].key { return false }
        }
        return position.filter { $0 >= 0 }.count == slots.count
    }
}
