// The umbrella module: `import StateCache` gives a storage client what it uses — the async
// client, `Database` and `Connection`, the options, the errors, the statistics and the
// vocabulary — and nothing of the layers behind them (the policy, the views, the storage
// classes, the trace format), which stay in their own modules for the package's tools.
@_exported import struct StateVocabulary.ObjectID
@_exported import struct StateVocabulary.TransactionID
@_exported import struct StateVocabulary.ObjectState
@_exported import struct CacheCore.CacheStatistics
@_exported import struct CacheCore.CacheOptions
@_exported import enum CacheCore.StateCompression
@_exported import enum CacheCore.WindowAdaptation
@_exported import struct ObjectStorage.StorageError
@_exported import protocol ObjectStorage.StorageBackendDetail
@_exported import struct SQLiteStorage.SQLiteFailure
@_exported import struct ObjectStorage.PollResult
@_exported import struct ObjectStorage.ObjectChange
@_exported import struct ObjectStorage.DatabaseIdentity
@_exported import struct SQLiteStorage.SQLiteStorageOptions
#if PostgreSQL
@_exported import struct PostgresStorage.PostgresStorageOptions
@_exported import struct PostgresStorage.PostgresFailure
#endif
@_exported import struct CacheViews.ViewStatistics
@_exported import enum CacheViews.CacheViewError
