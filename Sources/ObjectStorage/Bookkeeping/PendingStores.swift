import StateVocabulary

/// A connection's buffer of stores for its next commit, in call order, one per object:
/// storing an object again replaces its earlier store in place. Both backends buffer this way.
package struct PendingStores: Sendable {
    /// The stores in call order.
    package private(set) var items: [PendingStore] = []
    /// Each buffered OID's position in `items`.
    private var positions: [ObjectID: Int] = [:]

    package init() {}

    /// The number of objects buffered.
    package var count: Int { items.count }

    /// Buffers `item`, replacing an earlier store of the same object.
    package mutating func add(_ item: PendingStore) {
        if let position = positions[item.oid] {
            items[position] = item
        } else {
            positions[item.oid] = items.count
            items.append(item)
        }
    }

    /// Drops every buffered store, keeping the storage for the next transaction.
    package mutating func removeAll() {
        items.removeAll(keepingCapacity: true)
        positions.removeAll(keepingCapacity: true)
    }

    /// Traps if the stores and their positions disagree.
    package func checkInvariants() {
        precondition(items.count == positions.count, "pending stores and their index disagree")
        for (position, item) in items.enumerated() {
            precondition(positions[item.oid] == position, "pending store of \(item.oid) not at its indexed position")
        }
    }
}
