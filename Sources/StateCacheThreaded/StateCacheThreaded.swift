// `import StateCacheThreaded` gives code that runs on its own threads the threaded API —
// `Database` (one per process) and `Connection` (one per thread) — with the options, errors,
// statistics and vocabulary it uses. The async client over it is `import StateCache`
// (docs/threaded-api.md).
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
@_exported import struct ObjectStorage.DatabaseIdentity
