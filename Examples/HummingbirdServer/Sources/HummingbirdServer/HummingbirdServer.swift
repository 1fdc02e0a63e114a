// An HTTP front end for a StateCache database: objects are byte strings under numeric OIDs.
//
//   GET  /objects/:oid   the object's current state (404 when absent); its TID in X-StateCache-TID
//   PUT  /objects/:oid   the request body becomes the object's new state (one transaction)
//   POST /objects        a new OID, to PUT to
//   GET  /metrics        the pool's and the cache's counters, as text
//
// Usage: HummingbirdServer DIRECTORY [PORT]   (SQLite in DIRECTORY/db; port 8080 by default)
//
// The client and the HTTP server run in one ServiceGroup: SIGTERM or SIGINT stops the server
// first, then drains the client's pool and closes the database, saving the cache files.
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import ServiceLifecycle
import StateCache

@main
struct HummingbirdServer {
    static func main() async throws {
        let arguments = CommandLine.arguments
        guard (2...3).contains(arguments.count), let port = Int(arguments.count == 3 ? arguments[2] : "8080") else {
            FileHandle.standardError.write(Data("usage: HummingbirdServer DIRECTORY [PORT]\n".utf8))
            exit(2)
        }
        let directory = URL(fileURLWithPath: arguments[1])

        var logger = Logger(label: "HummingbirdServer")
        logger.logLevel = .info

        var options = DatabaseOptions()
        options.cache.cacheLocalMB = 50
        options.cacheLocalDir = directory.appendingPathComponent("cache")   // a warm cache after a restart
        let client = try await StateCacheClient.open(.sqlite(directory: directory.appendingPathComponent("db")),
                                                     options: options, logger: logger)

        let server = Application(router: router(client),
                                 configuration: .init(address: .hostname("127.0.0.1", port: port)),
                                 logger: logger)

        // Services stop in reverse order: the HTTP server first (no new requests), then the client.
        let group = ServiceGroup(configuration: .init(services: [client, server],
                                                      gracefulShutdownSignals: [.sigterm, .sigint],
                                                      logger: logger))
        try await group.run()
    }

    /// The header that carries an object's TID.
    static let tidHeader = HTTPField.Name("X-StateCache-TID")!
    /// The largest state a PUT accepts.
    static let maximumStateSize = 16 * 1024 * 1024

    /// The routes, over `client`.
    static func router(_ client: StateCacheClient) -> Router<BasicRequestContext> {
        let router = Router()

        router.get("/objects/:oid") { _, context -> Response in
            let oid = try objectID(context)
            guard let loaded = try await client.load(oid) else {
                throw HTTPError(.notFound, message: "no object \(oid.rawValue)")
            }
            return Response(status: .ok,
                            headers: [.contentType: "application/octet-stream", tidHeader: "\(loaded.tid)"],
                            body: ResponseBody(byteBuffer: ByteBuffer(bytes: loaded.state)))
        }

        router.put("/objects/:oid") { request, context -> Response in
            let oid = try objectID(context)
            let body = try await request.body.collect(upTo: maximumStateSize)
            let state = Array(body.readableBytesView)
            // Read the current TID first and store against it: a concurrent writer makes the
            // commit conflict, and withTransaction reruns the body from a fresh snapshot.
            let created = try await client.withTransaction { transaction in
                let current = try await transaction.load(oid)
                try transaction.store(oid, state, expecting: current?.tid)
                return current == nil
            }
            return Response(status: created ? .created : .noContent)
        }

        router.post("/objects") { _, _ -> Response in
            let oid = try await client.newOID()
            return Response(status: .created,
                            headers: [.location: "/objects/\(oid.rawValue)", .contentType: "text/plain"],
                            body: ResponseBody(byteBuffer: ByteBuffer(string: "\(oid.rawValue)\n")))
        }

        router.get("/metrics") { _, _ -> String in
            metricsText(pool: client.poolStatistics, cache: client.cacheStatistics)
        }
        return router
    }

    /// The OID in the path: decimal, or hexadecimal with `0x` (as OIDs print).
    static func objectID(_ context: BasicRequestContext) throws -> ObjectID {
        let text = try context.parameters.require("oid")
        let value = text.hasPrefix("0x") ? UInt64(text.dropFirst(2), radix: 16) : UInt64(text)
        guard let value else { throw HTTPError(.badRequest, message: "not an OID: \(text)") }
        return ObjectID(value)
    }

    /// One `name value` line per counter.
    static func metricsText(pool: PoolStatistics, cache: CacheStatistics) -> String {
        """
        pool_leased \(pool.leased)
        pool_idle \(pool.idle)
        pool_waiters \(pool.waiters)
        pool_leases_total \(pool.leases)
        pool_lease_waits_total \(pool.waits)
        pool_lease_timeouts_total \(pool.timeouts)
        pool_connections_opened_total \(pool.opened)
        pool_connections_closed_total \(pool.closed)
        cache_hits_total \(cache.hits)
        cache_misses_total \(cache.misses)
        cache_hit_rate \(String(format: "%.4f", cache.hitRate))
        cache_stores_total \(cache.sets)
        cache_evictions_total \(cache.evictions)
        cache_entries \(cache.entries)
        cache_bytes \(cache.bytes)
        cache_capacity_bytes \(cache.capacityBytes)

        """
    }
}
