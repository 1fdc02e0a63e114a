/// An error of the StateCache client and database themselves (not of the storage, which
/// throws `StorageError`, nor of the cache views, which throw `CacheViewError`).
///
/// A struct with an extensible ``Code``, so new failures are not a source break; match with
/// `catch let error as StateCacheError where error.code == .leaseTimeout`.
public struct StateCacheError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What kind of failure.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        let name: String
        private init(_ name: String) { self.name = name }

        /// No connection came back within the pool's lease timeout.
        public static let leaseTimeout = Code("leaseTimeout")
        /// The client or database is closed (or closing): nothing more can be leased or loaded.
        public static let closed = Code("closed")
        /// A connection handle was used after its `withConnection` or `withTransaction` ended.
        public static let leaseEnded = Code("leaseEnded")
        /// A connection was used by two tasks or threads at once; each lease is for one task.
        public static let concurrentUse = Code("concurrentUse")
        /// `Database.close()` was called while connections were still open.
        public static let connectionsOpen = Code("connectionsOpen")
        /// Options or configuration out of range, or a configuration key that does not exist.
        public static let invalidConfiguration = Code("invalidConfiguration")

        public var description: String { name }
    }

    /// What kind of failure.
    public var code: Code
    /// One line saying what happened and what to do.
    public var message: String

    /// An error of `code` saying `message`.
    package init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
