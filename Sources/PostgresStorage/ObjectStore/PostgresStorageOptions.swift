/// How ``PostgresObjectStore`` connects and commits.
public struct PostgresStorageOptions: Sendable, Hashable {
    /// How long connecting may take before `StorageError.Code.cannotConnect`.
    public var connectTimeout: Duration = .seconds(10)
    /// How long a commit waits for other commits' object and commit locks before it fails
    /// (PostgreSQL's `lock_timeout` on the writer sessions).
    public var lockTimeout: Duration = .seconds(60)
    /// How many OIDs one round trip to the OID sequence fetches.
    public var oidBlockSize = 100
    /// Create the schema in an empty database (off: `StorageError.Code.notFound` instead).
    public var createIfMissing = true

    /// The defaults.
    public init() {}

    func validate() throws(StorageError) {
        guard oidBlockSize >= 1 else { throw .invalidArgument("oidBlockSize must be at least 1, not \(oidBlockSize)") }
        guard connectTimeout > .zero, lockTimeout > .zero else { throw .invalidArgument("timeouts must be positive") }
    }
}
