// What both front doors — `import StateCache` (the async client) and `import StateCacheThreaded`
// (the threaded API) — give their users besides their own types: the vocabulary, the cache's
// options and statistics, the errors a caller matches and what a poll returns. Each re-exports
// this module whole, so the list is written once (docs/architecture.md, "The public surface").
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
