// The umbrella module: `import StateCache` gives a storage client the whole system.
@_exported import CacheCore
