// The umbrella: `import StateCache` gives a server what it uses — the async client, its options,
// the errors, the statistics and the vocabulary — and nothing of the layers behind them. The
// threaded API (`Database`, `Connection`) is the `StateCacheThreaded` product; the backends'
// failure details (`SQLiteFailure`, `PostgresFailure`) are in their own modules, imported for
// that detail only (docs/architecture.md, "The public surface").
@_exported import struct StateVocabulary.ObjectID
@_exported import struct StateVocabulary.TransactionID
@_exported import struct StateVocabulary.ObjectState
@_exported import struct CacheCore.CacheStatistics
@_exported import struct CacheCore.CacheOptions
@_exported import enum CacheCore.StateCompression
@_exported import enum CacheCore.WindowAdaptation
@_exported import struct ObjectStorage.StorageError
@_exported import struct ObjectStorage.PollResult
@_exported import struct ObjectStorage.ObjectChange
@_exported import struct CacheViews.ViewStatistics
@_exported import enum CacheViews.CacheViewError
@_exported import struct StateCacheThreaded.DatabaseOptions
@_exported import enum StateCacheThreaded.StorageLocation
@_exported import struct StateCacheThreaded.StateCacheError
