import ObjectStorage
import ServiceLifecycle

extension StateCacheClient: Service {
    /// Keeps the pool until the task is cancelled or the service group shuts down gracefully,
    /// then drains it and closes the database (saving the cache files).
    ///
    /// While it runs it opens the pool's minimum connections, closes connections idle past the
    /// idle timeout (the ones kept release their snapshots), and reports metrics — every
    /// second, or more often for short idle timeouts. Add the client to a `ServiceGroup`:
    ///
    /// ```swift
    /// let group = ServiceGroup(services: [client, httpServer], gracefulShutdownSignals: [.sigterm], logger: logger)
    /// try await group.run()
    /// ```
    public func run() async throws {
        await pool.fillToMinimum()
        let tick = Swift.min(Duration.seconds(1), poolConfiguration.idleTimeout / 4)
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled && !self.pool.isClosing {
                do { try await Task.sleep(for: tick) } catch { break }
                await self.pool.closeIdle()
                await self.pool.fillToMinimum()
                self.reportMetrics()
            }
        }
        try await close()
    }
}
