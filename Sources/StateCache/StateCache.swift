// The umbrella module: `import StateCache` gives a storage client the whole system —
// `Database.open`, connections with cached loads, the options, and the vocabulary types.
@_exported import CacheCore
@_exported import ObjectStorage
@_exported import SQLiteStorage
#if PostgreSQL
@_exported import PostgresStorage
#endif
@_exported import CacheViews
@_exported import CacheTrace
