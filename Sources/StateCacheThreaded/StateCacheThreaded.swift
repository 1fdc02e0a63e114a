// `import StateCacheThreaded` gives code that runs on its own threads the threaded API —
// `Database` (one per process) and `Connection` (one per thread) — with the options, errors,
// statistics and vocabulary it uses. The async client over it is `import StateCache`
// (docs/threaded-api.md).
@_exported import StateCacheCommon
@_exported import struct ObjectStorage.DatabaseIdentity
