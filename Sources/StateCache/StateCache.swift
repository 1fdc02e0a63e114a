// The umbrella module: `import StateCache` gives a storage client what it uses — the async
// client, `Database` and `Connection`, the options, the errors, the statistics and the
// vocabulary — and nothing of the layers behind them (the policy, the views, the storage
// classes, the trace format), which stay in their own modules for the package's tools.
@_exported import struct CacheCore.ObjectID
@_exported import struct CacheCore.TransactionID
@_exported import struct CacheCore.ObjectState
@_exported import struct CacheCore.Checkpoints
@_exported import struct CacheCore.CacheStatistics
@_exported import enum CacheCore.StateCompression
@_exported import enum CacheCore.WindowAdaptation
@_exported import enum ObjectStorage.StorageError
@_exported import struct ObjectStorage.SQLiteFailure
@_exported import struct ObjectStorage.PostgresFailure
@_exported import struct ObjectStorage.PollResult
@_exported import struct ObjectStorage.ObjectChange
@_exported import struct ObjectStorage.DatabaseIdentity
@_exported import struct SQLiteStorage.SQLiteStorageOptions
#if PostgreSQL
@_exported import struct PostgresStorage.PostgresStorageOptions
#endif
@_exported import struct CacheViews.ViewStatistics
@_exported import enum CacheViews.CacheViewError
