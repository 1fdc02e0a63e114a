// The umbrella: `import StateCache` gives a server what it uses — the async client, its options,
// the errors, the statistics and the vocabulary — and nothing of the layers behind them. The
// threaded API (`Database`, `Connection`) is the `StateCacheThreaded` product; the backends'
// failure details (`SQLiteFailure`, `PostgresFailure`) are in their own modules, imported for
// that detail only (docs/architecture.md, "The public surface").
@_exported import StateCacheCommon
@_exported import struct StateCacheThreaded.DatabaseOptions
@_exported import enum StateCacheThreaded.StorageLocation
@_exported import struct StateCacheThreaded.StateCacheError
