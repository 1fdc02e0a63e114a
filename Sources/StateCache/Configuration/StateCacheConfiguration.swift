import StateCacheThreaded
import CacheCore
import Foundation
#if PostgreSQL
import PostgresStorage
#endif
import SQLiteStorage

/// Everything a ``StateCacheClient`` is opened with — where the database is, the database's
/// options, the pool — read from a key-value source (a configuration file's section, a
/// service's settings) or from the environment, with RelStorage's key names.
///
/// ```swift
/// // STATECACHE_STORAGE=/var/lib/app/db STATECACHE_CACHE_LOCAL_MB=200 STATECACHE_POOL_MAX_CONNECTIONS=32
/// let configuration = try StateCacheConfiguration(environment: ProcessInfo.processInfo.environment)
/// let client = try await StateCacheClient.open(configuration, logger: logger)
/// ```
///
/// Keys not given keep their defaults. An unknown key, or a value that does not parse or is
/// out of range, is a `StateCacheError.Code.invalidConfiguration` error naming the key — a
/// misspelt setting fails at start-up instead of being ignored. The keys are listed in
/// ``keys``; in the environment each is upper-cased, `-` becomes `_`, and `STATECACHE_` comes
/// first (`cache-local-mb` → `STATECACHE_CACHE_LOCAL_MB`). The `sqlite-*` and `postgres-*` keys
/// set the options of the location `storage` names, and are an error for the other backend.
public struct StateCacheConfiguration: Sendable {
    /// The database (`storage`: a directory path, or a `postgresql://` URL or libpq string),
    /// with its backend's options (`sqlite-*`, `postgres-*`).
    public var location: StorageLocation?
    /// The database's options.
    public var options = DatabaseOptions()
    /// The pool's limits.
    public var pool = PoolConfiguration()

    /// The defaults, with no location.
    public init() {}

    /// The `sqlite-*` keys read so far, and the first of them (for messages), until they join
    /// the location.
    private var sqliteOptions: (options: SQLiteStorageOptions, key: String)?
    #if PostgreSQL
    /// The `postgres-*` keys read so far, and the first of them, until they join the location.
    private var postgresOptions: (options: PostgresStorageOptions, key: String)?
    #endif

    /// Reads `values` (key → text). Throws `StateCacheError.Code.invalidConfiguration` naming
    /// the first unknown key or bad value.
    public init(_ values: [String: String]) throws(StateCacheError) {
        for key in values.keys.sorted() {
            guard let setting = Self.settings[key] else {
                let suggestion = Self.closestKey(to: key).map { " (did you mean '\($0)'?)" } ?? ""
                throw StateCacheError(.invalidConfiguration, "unknown configuration key '\(key)'\(suggestion)")
            }
            do {
                try setting.apply(values[key]!.trimmingCharacters(in: .whitespaces), &self)
            } catch {
                throw StateCacheError(.invalidConfiguration, "configuration key '\(key)': \(error.reason)")
            }
        }
        try attachStorageOptions()
        do {
            try pool.validate()
        } catch {
            throw StateCacheError(.invalidConfiguration, "configuration: \(error.message)")
        }
    }

    /// Reads the variables of `environment` that start with `prefix` (`STATECACHE_CACHE_LOCAL_MB`
    /// is `cache-local-mb`); other variables are not looked at. Throws like ``init(_:)``, naming
    /// the variable.
    public init(environment: [String: String], prefix: String = "STATECACHE_") throws(StateCacheError) {
        var values: [String: String] = [:]
        var names: [String: String] = [:]
        for (name, value) in environment where name.hasPrefix(prefix) && name.count > prefix.count {
            let key = name.dropFirst(prefix.count).lowercased().replacingOccurrences(of: "_", with: "-")
            values[key] = value
            names[key] = name
        }
        do {
            try self.init(values)
        } catch {
            var message = error.message
            for (key, name) in names { message = message.replacingOccurrences(of: "key '\(key)'", with: "variable \(name)") }
            throw StateCacheError(.invalidConfiguration, message)
        }
    }

    /// Gives the location the `sqlite-*` or `postgres-*` options read, which must be its
    /// backend's.
    private mutating func attachStorageOptions() throws(StateCacheError) {
        func refuse(_ key: String, _ backend: String) -> StateCacheError {
            let found = location.map { "'storage' is \($0)" } ?? "no 'storage' is given"
            return StateCacheError(.invalidConfiguration, "configuration key '\(key)' applies to a \(backend) storage, and \(found)")
        }
        if let (options, key) = sqliteOptions {
            guard case .sqlite(let directory, _)? = location else { throw refuse(key, "SQLite") }
            location = .sqlite(directory: directory, options: options)
        }
        #if PostgreSQL
        if let (options, key) = postgresOptions {
            guard case .postgres(let target, _)? = location else { throw refuse(key, "PostgreSQL") }
            location = .postgres(target, options: options)
        }
        #endif
    }

    /// Every key, in the order documented.
    public static var keys: [String] { settingList.map(\.key) }

    // MARK: - The keys

    private struct Setting: Sendable {
        let key: String
        let apply: @Sendable (String, inout StateCacheConfiguration) throws(ValueError) -> Void
    }

    struct ValueError: Error {
        let reason: String
    }

    /// Every key, in the order documented: the PostgreSQL keys come from ``postgresSettings``,
    /// which refuses them in a build without PostgreSQL.
    private static let settingList: [Setting] = [
        Setting(key: "storage") { text, configuration throws(ValueError) in
            guard !text.isEmpty else { throw ValueError(reason: "is empty") }
            configuration.location = StorageLocation(parsing: text)
        },
        number("cache-local-mb", \.options.cache.cacheLocalMB, atLeast: 0),
        number("cache-local-object-max", \.options.cache.cacheLocalObjectMax, atLeast: 1),
        choice("cache-local-compression", \.options.cache.compression),
        number("cache-delta-size-limit", \.options.cacheDeltaSizeLimit, atLeast: 1),
        Setting(key: "cache-prefix") { text, configuration throws(ValueError) in
            configuration.options.cachePrefix = text.isEmpty ? nil : text
        },
        path("cache-local-dir", \.options.cacheLocalDir),
        number("cache-local-dir-count", \.options.cacheLocalDirCount, atLeast: 1),
        number("cache-local-dir-read-count", \.options.cacheLocalDirReadCount, atLeast: 0),
        number("cache-local-dir-write-max-size", \.options.cacheLocalDirWriteMaxSize, atLeast: 0),
        Setting(key: "cache-local-dir-compress") { text, configuration throws(ValueError) in
            configuration.options.cacheLocalDirCompress = try boolean(text)
        },
        path("cache-trace-file", \.options.cacheTraceFile),
        Setting(key: "cache-window-fraction") { text, configuration throws(ValueError) in
            let fraction = try number(text, Double.init, atLeast: 0)
            guard fraction <= 1 else { throw ValueError(reason: "'\(text)' is more than 1") }
            configuration.options.cache.windowFraction = fraction
        },
        choice("cache-window-adaptation", \.options.cache.windowAdaptation),
        number("cache-shard-count", \.options.cache.shardCount, atLeast: 1),
        sqlite("sqlite-busy-timeout", \.busyTimeout, seconds),
        sqlite("sqlite-cache-size-kib", \.cacheSizeKiB) { text throws(ValueError) in try number(text, Int.init, atLeast: 0) },
        sqlite("sqlite-mmap-size-mib", \.mmapSizeMiB) { text throws(ValueError) in try number(text, Int.init, atLeast: 0) },
    ] + postgresSettings + [
        number("pool-min-connections", \.pool.minimumConnections, atLeast: 0),
        number("pool-max-connections", \.pool.maximumConnections, atLeast: 1),
        duration("pool-idle-timeout", \.pool.idleTimeout),
        duration("pool-lease-timeout", \.pool.leaseTimeout),
    ]

    // MARK: - Keys of one kind

    #if PostgreSQL
    private static let postgresSettings: [Setting] = [
        backendOption("postgres-connect-timeout", \.postgresOptions, PostgresStorageOptions.init, \.connectTimeout, seconds),
        backendOption("postgres-lock-timeout", \.postgresOptions, PostgresStorageOptions.init, \.lockTimeout, seconds),
    ]
    #else
    /// The same keys, refused: this build has no PostgreSQL storage.
    private static let postgresSettings: [Setting] = ["postgres-connect-timeout", "postgres-lock-timeout"].map { key in
        Setting(key: key) { _, _ throws(ValueError) in throw ValueError(reason: "this build has no PostgreSQL storage") }
    }
    #endif

    /// A `sqlite-*` key whose value `parse` reads into `field` of the SQLite options.
    private static func sqlite<T: Sendable>(
        _ key: String, _ field: any WritableKeyPath<SQLiteStorageOptions, T> & Sendable,
        _ parse: @escaping @Sendable (String) throws(ValueError) -> T) -> Setting {
        backendOption(key, \.sqliteOptions, SQLiteStorageOptions.init, field, parse)
    }

    /// A key of one backend's options: `parse` reads the value into `field` of the options kept
    /// at `pending`, which the first such key creates with `makeOptions` and names (the error
    /// when `storage` is the other backend's quotes it).
    private static func backendOption<Options, T: Sendable>(
        _ key: String, _ pending: any WritableKeyPath<StateCacheConfiguration, (options: Options, key: String)?> & Sendable,
        _ makeOptions: @escaping @Sendable () -> Options, _ field: any WritableKeyPath<Options, T> & Sendable,
        _ parse: @escaping @Sendable (String) throws(ValueError) -> T) -> Setting {
        Setting(key: key) { text, configuration throws(ValueError) in
            let value = try parse(text)
            var options = configuration[keyPath: pending] ?? (makeOptions(), key)
            options.options[keyPath: field] = value
            configuration[keyPath: pending] = options
        }
    }

    /// A key whose value is a number of at least `minimum`, stored at `field`.
    private static func number<T: Comparable & LosslessStringConvertible & Sendable>(
        _ key: String, _ field: any WritableKeyPath<StateCacheConfiguration, T> & Sendable, atLeast minimum: T) -> Setting {
        Setting(key: key) { text, configuration throws(ValueError) in
            configuration[keyPath: field] = try number(text, T.init, atLeast: minimum)
        }
    }

    /// A key whose value is a number of at least `minimum`, stored at an optional `field`.
    private static func number<T: Comparable & LosslessStringConvertible & Sendable>(
        _ key: String, _ field: any WritableKeyPath<StateCacheConfiguration, T?> & Sendable, atLeast minimum: T) -> Setting {
        Setting(key: key) { text, configuration throws(ValueError) in
            configuration[keyPath: field] = try number(text, T.init, atLeast: minimum)
        }
    }

    /// A key whose value is one of `T`'s cases, by name (any case).
    private static func choice<T: RawRepresentable & CaseIterable & Sendable>(
        _ key: String, _ field: any WritableKeyPath<StateCacheConfiguration, T> & Sendable) -> Setting where T.RawValue == String {
        Setting(key: key) { text, configuration throws(ValueError) in
            configuration[keyPath: field] = try choice(text, T.self)
        }
    }

    /// A key whose value is a file system path; empty turns it off.
    private static func path(_ key: String, _ field: any WritableKeyPath<StateCacheConfiguration, URL?> & Sendable) -> Setting {
        Setting(key: key) { text, configuration throws(ValueError) in
            configuration[keyPath: field] = text.isEmpty ? nil : URL(fileURLWithPath: text)
        }
    }

    /// A key whose value is a duration (``seconds(_:)``).
    private static func duration(_ key: String, _ field: any WritableKeyPath<StateCacheConfiguration, Duration> & Sendable) -> Setting {
        Setting(key: key) { text, configuration throws(ValueError) in
            configuration[keyPath: field] = try seconds(text)
        }
    }

    private static let settings = Dictionary(uniqueKeysWithValues: settingList.map { ($0.key, $0) })

    // MARK: - Values

    private static func number<T: Comparable>(_ text: String, _ parse: (String) -> T?, atLeast minimum: T) throws(ValueError) -> T {
        guard let value = parse(text) else { throw ValueError(reason: "'\(text)' is not a number") }
        guard value >= minimum else { throw ValueError(reason: "'\(text)' is less than \(minimum)") }
        return value
    }

    private static func choice<T: RawRepresentable & CaseIterable>(_ text: String, _: T.Type) throws(ValueError) -> T
        where T.RawValue == String {
        guard let value = T.allCases.first(where: { $0.rawValue.lowercased() == text.lowercased() }) else {
            throw ValueError(reason: "'\(text)' is not one of \(T.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return value
    }

    private static func boolean(_ text: String) throws(ValueError) -> Bool {
        switch text.lowercased() {
        case "true", "yes", "on", "1": return true
        case "false", "no", "off", "0": return false
        default: throw ValueError(reason: "'\(text)' is not true or false")
        }
    }

    /// Seconds, as a number (`2.5`) or with a unit (`250ms`, `30s`, `2m`).
    private static func seconds(_ text: String) throws(ValueError) -> Duration {
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60)]
        var number = Substring(text)
        var scale = 1.0
        for (unit, factor) in units where text.hasSuffix(unit) {
            number = text.dropLast(unit.count)
            scale = factor
            break
        }
        guard let value = Double(number.trimmingCharacters(in: .whitespaces)), value.isFinite, value >= 0 else {
            throw ValueError(reason: "'\(text)' is not a duration (seconds, or with ms, s or m)")
        }
        return .milliseconds(Int64((value * scale * 1000).rounded()))
    }

    /// The known key nearest to `key` by edit distance, when it is close.
    private static func closestKey(to key: String) -> String? {
        func distance(_ a: [Character], _ b: [Character]) -> Int {
            var previous = Array(0...b.count)
            for (i, x) in a.enumerated() {
                var current = [i + 1]
                for (j, y) in b.enumerated() {
                    current.append(Swift.min(previous[j + 1] + 1, current[j] + 1, previous[j] + (x == y ? 0 : 1)))
                }
                previous = current
            }
            return previous[b.count]
        }
        let candidates = keys.map { ($0, distance(Array(key), Array($0))) }.min { $0.1 < $1.1 }
        return candidates.flatMap { $0.1 <= 3 ? $0.0 : nil }
    }
}
