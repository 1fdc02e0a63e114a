/// A few intrusive doubly-linked lists over a trace's objects, for the simulators whose
/// policy is made of segments (``ARCSimulator``, ``LIRSSimulator``, ``TwoQueueSimulator``,
/// ``S3FIFOSimulator``): each object is in at most one of the lists, and each list knows its
/// ends, its length and the total weight of its members.
///
/// ```swift
/// var lists = ObjectLists(objectCount: stream.objectCount, listCount: 2)
/// lists.pushNewest(7, to: 0, weight: 1)     // object 7 joins list 0 at its newest end
/// lists.moveToNewest(7, to: 1)              // and moves to list 1, keeping its weight
/// lists.oldest(1)                           // 7
/// ```
///
/// The links live in one array indexed by the object's dense id (``OperationStream/objects``),
/// as ``LRUSimulator``'s do: no hashing and no allocation per operation, O(1) per step. A
/// list's *newest* end is where entries join (a list's MRU end, a queue's tail), its *oldest*
/// end where victims are taken.
struct ObjectLists {
    /// One object's place: its neighbours (−1: none), its weight while listed, its list.
    struct Node {
        /// Toward the newest end.
        var newer: Int32 = -1
        /// Toward the oldest end.
        var older: Int32 = -1
        var weight: Int32 = 0
        var list: UInt8 = ObjectLists.none
    }

    /// One list's ends and totals.
    struct List {
        var newest: Int32 = -1
        var oldest: Int32 = -1
        var weight = 0
        var count = 0
    }

    /// "In no list".
    static let none: UInt8 = .max

    private(set) var nodes: [Node]
    private(set) var lists: [List]

    /// `listCount` empty lists over objects `0 ..< objectCount`.
    init(objectCount: Int, listCount: Int) {
        precondition(listCount < Int(ObjectLists.none))
        nodes = [Node](repeating: Node(), count: objectCount)
        lists = [List](repeating: List(), count: listCount)
    }

    /// The list `object` is in, or ``none``.
    @inline(__always) func list(of object: Int32) -> UInt8 { nodes[Int(object)].list }
    /// `object`'s weight while it is listed.
    @inline(__always) func weight(of object: Int32) -> Int { Int(nodes[Int(object)].weight) }
    /// The total weight of `list`'s members.
    @inline(__always) func weight(ofList list: UInt8) -> Int { lists[Int(list)].weight }
    /// The number of `list`'s members.
    @inline(__always) func count(ofList list: UInt8) -> Int { lists[Int(list)].count }
    /// `list`'s oldest member (its victim end), or −1 when it is empty.
    @inline(__always) func oldest(_ list: UInt8) -> Int32 { lists[Int(list)].oldest }
    /// `list`'s newest member, or −1 when it is empty.
    @inline(__always) func newest(_ list: UInt8) -> Int32 { lists[Int(list)].newest }
    /// The member after `object` toward the newest end, or −1.
    @inline(__always) func newer(than object: Int32) -> Int32 { nodes[Int(object)].newer }

    /// Adds `object` (in no list) at `list`'s newest end with `weight`.
    ///
    /// - Complexity: O(1).
    @inline(__always)
    mutating func pushNewest(_ object: Int32, to list: UInt8, weight: Int) {
        let o = Int(object), l = Int(list)
        let head = lists[l].newest
        nodes[o] = Node(newer: -1, older: head, weight: Int32(truncatingIfNeeded: weight), list: list)
        if head >= 0 { nodes[Int(head)].newer = object } else { lists[l].oldest = object }
        lists[l].newest = object
        lists[l].weight += weight
        lists[l].count += 1
    }

    /// Takes `object` out of its list, if it is in one.
    ///
    /// - Complexity: O(1).
    @inline(__always)
    mutating func remove(_ object: Int32) {
        let o = Int(object)
        let node = nodes[o]
        guard node.list != ObjectLists.none else { return }
        let l = Int(node.list)
        if node.newer >= 0 { nodes[Int(node.newer)].older = node.older } else { lists[l].newest = node.older }
        if node.older >= 0 { nodes[Int(node.older)].newer = node.newer } else { lists[l].oldest = node.newer }
        lists[l].weight -= Int(node.weight)
        lists[l].count -= 1
        nodes[o] = Node()
    }

    /// Moves `object` (in some list) to `list`'s newest end, keeping its weight.
    ///
    /// - Complexity: O(1).
    @inline(__always)
    mutating func moveToNewest(_ object: Int32, to list: UInt8) {
        let weight = Int(nodes[Int(object)].weight)
        remove(object)
        pushNewest(object, to: list, weight: weight)
    }

    /// Changes the weight of `object` (in some list).
    @inline(__always)
    mutating func setWeight(_ object: Int32, _ weight: Int) {
        let o = Int(object)
        lists[Int(nodes[o].list)].weight += weight - Int(nodes[o].weight)
        nodes[o].weight = Int32(truncatingIfNeeded: weight)
    }

    /// Empties every list.
    ///
    /// - Complexity: O(members).
    mutating func removeAll() {
        for l in lists.indices {
            while lists[l].oldest >= 0 { remove(lists[l].oldest) }
        }
    }

    /// Walks every list and checks its links, its members' list tags, its count and its weight,
    /// and that no object outside the lists claims to be in one — so no object is in two lists.
    /// O(objects); tests call it, replays do not.
    ///
    /// - Parameter names: the lists' names, for the messages.
    func checkInvariants(names: [String]) {
        var listed = 0
        for (l, list) in lists.enumerated() {
            var count = 0, weight = 0
            var previous: Int32 = -1
            var object = list.oldest
            while object >= 0 {
                let node = nodes[Int(object)]
                precondition(Int(node.list) == l, "\(names[l]): object \(object) is tagged with list \(node.list)")
                precondition(node.older == previous,
                             "\(names[l]): object \(object)'s older link is \(node.older), not \(previous)")
                precondition(node.weight >= 0, "\(names[l]): object \(object) weighs \(node.weight)")
                count += 1
                weight += Int(node.weight)
                precondition(count <= list.count, "\(names[l]): more members than its count \(list.count) (a cycle?)")
                previous = object
                object = node.newer
            }
            precondition(previous == list.newest, "\(names[l]): the walk ends at \(previous), the newest is \(list.newest)")
            precondition(count == list.count, "\(names[l]): \(count) members, count says \(list.count)")
            precondition(weight == list.weight, "\(names[l]): members weigh \(weight), the total says \(list.weight)")
            listed += count
        }
        let tagged = nodes.reduce(0) { $0 + ($1.list == ObjectLists.none ? 0 : 1) }
        precondition(tagged == listed, "\(tagged) objects claim a list but the lists hold \(listed)")
    }
}
