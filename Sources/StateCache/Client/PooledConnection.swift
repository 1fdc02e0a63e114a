import StateCacheThreaded
import CacheCore
import Dispatch

/// One connection of a ``StateCacheClient``'s pool: the database connection and the thread
/// all its work runs on. The pool's lock guards the bookkeeping fields; the connection itself
/// is used by one lease at a time, on its thread.
final class PooledConnection: @unchecked Sendable {
    let connection: Connection
    let thread: ConnectionThread
    /// A number for logs and thread names.
    let number: Int
    /// Whether reads (polls, loads) run where the calling task is, only writes on ``thread``
    /// (the storage's reads never wait: SQLite); false runs everything on ``thread``.
    let readsInline: Bool
    /// When it last came back to the pool (guarded by the pool's lock).
    var returned: ContinuousClock.Instant = .now
    /// Whether its snapshot was released while idle (guarded by the pool's lock).
    var snapshotReleased = false

    init(connection: Connection, thread: ConnectionThread, number: Int, readsInline: Bool) {
        self.connection = connection
        self.thread = thread
        self.number = number
        self.readsInline = readsInline
    }

    /// Opens a connection of `database` on a new thread of its own.
    static func open(_ database: Database, number: Int) async throws -> PooledConnection {
        let thread = ConnectionThread(name: "StateCache connection \(number)")
        do {
            let connection = try await thread.run { try database.connect() }
            return PooledConnection(connection: connection, thread: thread, number: number,
                                    readsInline: database.store.readsNeverWait)
        } catch {
            thread.stop()
            throw error
        }
    }

    /// Closes the connection on its thread, then ends the thread (without waiting when called
    /// from that thread); `group` is left once the connection is closed.
    func close(_ group: DispatchGroup) {
        let connection = self.connection
        group.enter()
        thread.submit {
            connection.close()
            group.leave()
        }
        thread.stop()
    }
}
