extension WindowTinyLFU {
    /// Walks the whole structure and stops the program with a message naming the broken node
    /// if any invariant is violated: the queues, the index (`SlotIndex.checkInvariants(nodes:)`)
    /// and the arena's free list (`NodeArena.checkInvariants()`). Tests call it after
    /// randomized operations.
    ///
    /// - Complexity: O(n) in the number of nodes.
    package func checkInvariants() {
        controller.checkInvariants()
        var seen = 0
        for (region, queue) in [(Region.window, windowQueue), (.probation, probationQueue),
                                (.protected, protectedQueue)] {
            var count = 0
            var weight = 0
            var previous: Int32 = -1
            var slot = queue.head
            while slot >= 0 {
                let node = arena.nodes[Int(slot)]
                precondition(node.region == region, "node \(slot) \(node.key) is in the \(region) queue but tagged \(node.region)")
                precondition(node.previous == previous, "node \(slot) \(node.key): previous link \(node.previous) ≠ \(previous)")
                precondition(self.slot(of: node.key) == slot, "node \(slot) \(node.key) is not indexed at its slot")
                precondition(node.hashCode == node.key.sketchHashCode, "node \(slot) \(node.key): stale hash code")
                precondition(node.weight >= 0, "node \(slot) \(node.key): negative weight")
                count += 1
                weight += node.weight
                previous = slot
                slot = node.next
                precondition(count <= arena.nodes.count, "a cycle in the \(region) queue")
            }
            precondition(queue.tail == previous, "\(region) queue: tail \(queue.tail) ≠ last node \(previous)")
            precondition(queue.count == count, "\(region) queue: count \(queue.count) ≠ \(count) linked")
            precondition(queue.weight == weight, "\(region) queue: weight \(queue.weight) ≠ \(weight) linked")
            seen += count
        }
        let indexed = index.checkInvariants(nodes: arena.nodes)
        precondition(indexed == seen, "the index holds \(indexed) keys but \(seen) nodes are linked")
        let free = arena.checkInvariants()
        precondition(free + seen == arena.nodes.count, "\(arena.nodes.count) nodes but \(seen) live + \(free) free")
        precondition(weight <= configuration.maximumWeight,
                     "weight \(weight) exceeds the maximum \(configuration.maximumWeight)")
        precondition(windowMaximum >= 0 && protectedMaximum >= 0, "negative region budget")
        precondition(windowMaximum + protectedMaximum <= configuration.maximumWeight,
                     "window \(windowMaximum) + protected \(protectedMaximum) exceed the maximum")
    }
}
