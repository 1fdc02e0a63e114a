extension WindowTinyLFU {
    /// Adds this policy's counters, contents and region sizes to `statistics`.
    public func accumulate(into statistics: inout CacheStatistics) {
        statistics.hits += counters.hits
        statistics.misses += counters.misses
        statistics.sets += counters.sets
        statistics.evictions += counters.evictions
        statistics.admissionRejections += counters.admissionRejections
        statistics.entries += count
        statistics.bytes += weight
        statistics.capacityBytes += maximumWeight
        statistics.window.entries += windowQueue.count
        statistics.window.bytes += windowQueue.weight
        statistics.probation.entries += probationQueue.count
        statistics.probation.bytes += probationQueue.weight
        statistics.protected.entries += protectedQueue.count
        statistics.protected.bytes += protectedQueue.weight
    }

    /// The window's current budget as a share of the maximum (0…1).
    public var windowShare: Double {
        maximumWeight == 0 ? 0 : Double(windowMaximum) / Double(maximumWeight)
    }
}
