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
/// **Invariant** (checked by ``isValid``): every parent's key ≥ its children's keys, and
/// `position[heap[i]] == i` for every slot.
struct IndexedMaxHeap: Sendable {
    private(set) var objects: [Int32] = []
    private(set) var keys: [Int] = []
    /// Where each object sits in the heap, or −1.
    private var position: [Int32]

    init(objectCount: Int) {
        position = [Int32](repeating: -1, count: objectCount)
    }

    var count: Int { objects.count }
    var isEmpty: Bool { objects.isEmpty }

    func contains(_ object: Int32) -> Bool { position[Int(object)] >= 0 }

    /// The object with the largest key.
    var max: Int32? { objects.first }

    /// Inserts `object` with `key`, or changes its key. O(log n).
    mutating func set(_ object: Int32, key: Int) {
        let at = Int(position[Int(object)])
        if at < 0 {
            objects.append(object)
            keys.append(key)
            position[Int(object)] = Int32(objects.count - 1)
            siftUp(objects.count - 1)
        } else {
            let old = keys[at]
            keys[at] = key
            if key > old { siftUp(at) } else { siftDown(at) }
        }
    }

    /// Removes and returns the object with the largest key. O(log n).
    mutating func popMax() -> Int32? {
        guard let top = objects.first else { return nil }
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
        for object in objects { position[Int(object)] = -1 }
        objects.removeAll(keepingCapacity: true)
        keys.removeAll(keepingCapacity: true)
    }

    private mutating func remove(at index: Int) {
        let last = objects.count - 1
        position[Int(objects[index])] = -1
        if index != last {
            objects[index] = objects[last]
            keys[index] = keys[last]
            position[Int(objects[index])] = Int32(index)
        }
        objects.removeLast()
        keys.removeLast()
        if index < objects.count {
            siftDown(index)
            siftUp(index)
        }
    }

    private mutating func siftUp(_ start: Int) {
        var child = start
        let object = objects[child], key = keys[child]
        while child > 0 {
            let parent = (child - 1) / 2
            guard keys[parent] < key else { break }
            objects[child] = objects[parent]
            keys[child] = keys[parent]
            position[Int(objects[child])] = Int32(child)
            child = parent
        }
        objects[child] = object
        keys[child] = key
        position[Int(object)] = Int32(child)
    }

    private mutating func siftDown(_ start: Int) {
        var parent = start
        let object = objects[parent], key = keys[parent]
        let count = objects.count
        while true {
            var child = 2 * parent + 1
            guard child < count else { break }
            if child + 1 < count && keys[child + 1] > keys[child] { child += 1 }
            guard keys[child] > key else { break }
            objects[parent] = objects[child]
            keys[parent] = keys[child]
            position[Int(objects[parent])] = Int32(parent)
            parent = child
        }
        objects[parent] = object
        keys[parent] = key
        position[Int(object)] = Int32(parent)
    }

    /// Whether the heap order and the position index hold (tests).
    var isValid: Bool {
        for index in objects.indices {
            if position[Int(objects[index])] != Int32(index) { return false }
            if index > 0 && keys[(index - 1) / 2] < keys[index] { return false }
        }
        return position.filter { $0 >= 0 }.count == objects.count
    }
}
