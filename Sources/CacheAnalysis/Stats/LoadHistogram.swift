/// The load-frequency histogram (`-h`): how many objects were loaded how many times.
public struct LoadHistogram: Hashable, Sendable, Codable {
    /// One row: `objects` distinct oids were each loaded `loads` times.
    public struct Bin: Hashable, Sendable, Codable {
        /// How many times each of these objects was loaded.
        public var loads: Int
        /// How many objects were loaded that many times.
        public var objects: Int
    }

    /// Distinct oids loaded (misses included).
    public var uniqueOIDs: Int
    /// Load records in all.
    public var totalLoads: Int
    /// The rows, by increasing `loads`.
    public var bins: [Bin]
}
