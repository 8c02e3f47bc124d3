import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import PostgresNIO

/// A queue store in PostgreSQL that several servers share: each job is run once, by the server that holds it,
/// and idle workers of any server take offered jobs (see ``SharedQueueStore``).
///
/// ```swift
/// let store = try PostgresQueueStore(
///     configuration: .init(url: "postgres://geard:secret@db.example/gearman", serverName: "gear1:4730")
/// )
/// let server = GearmanServer(queueStore: store)  // stops the store when the server stops
/// ```
///
/// Jobs live in `gearman_jobs`, with `claimed_by` naming the server that runs them (`NULL`: offered to all);
/// the kept results of finished ones in `gearman_results`, which every server reads; servers in
/// `geard_servers` with their heartbeat. Each server's job ids start at its number shifted left by
/// ``idBits``, so servers never collide. The queue methods block their (dedicated) calling thread.
public final class PostgresQueueStore: SharedQueueStore, ResultStore {
    public let configuration: Configuration
    /// This server's row in `geard_servers`.
    public let serverNumber: Int64
    private let logger: Logger
    private let group: MultiThreadedEventLoopGroup
    private let link: PostgresLink
    private let heartbeat = NIOLockedValueBox<PostgresHeartbeat?>(nil)

    /// Bits of a job id numbered by its server; the bits above hold the server's number.
    public static let idBits = 40

    public var description: String {
        let connection = configuration.connection
        return "postgres:\(connection.host ?? "-"):\(connection.port ?? 0)/\(connection.database ?? "-") as \(configuration.serverName)"
    }

    /// Connects, creates the tables if missing and registers this server. Throws when the database cannot be
    /// reached or holds a `gearman_jobs` table of another shape.
    public init(configuration: Configuration, logger: Logger = Logger(label: "geard.queue")) throws {
        self.configuration = configuration
        self.logger = logger
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        self.group = group
        link = PostgresLink(configuration: configuration.connection, eventLoop: group.next(), logger: logger)
        do {
            try Self.createSchema(link)
            serverNumber = try Self.register(configuration.serverName, link)
        } catch {
            try? link.close().wait()
            try? group.syncShutdownGracefully()
            throw (error as? Failure) ?? Failure(error)
        }
    }

    private static func createSchema(_ link: PostgresLink) throws {
        _ = try link.query("BEGIN").wait()
        _ = try link.query(PostgresQueueSQL.schemaLock).wait()
        for statement in PostgresQueueSQL.schema { _ = try link.query(statement).wait() }
        _ = try link.query("COMMIT").wait()
        let columns = try Set(link.query(PostgresQueueSQL.jobColumns).wait().map { try $0.decode(String.self) })
        guard columns == PostgresQueueSQL.columns else {
            throw Failure(
                description: "table gearman_jobs has columns \(columns.sorted()), expected \(PostgresQueueSQL.columns.sorted())"
            )
        }
    }

    private static func register(_ name: String, _ link: PostgresLink) throws -> Int64 {
        guard let number = try link.query(PostgresQueueSQL.register(name: name)).wait().first?.decode(Int64.self),
            number < 1 << (63 - idBits)
        else { throw Failure(description: "cannot number server \(name) in geard_servers") }
        return number
    }

    private func run(_ query: PostgresQuery) throws -> PostgresQueryResult {
        do {
            return try link.query(query).wait()
        } catch {
            throw Failure(error)
        }
    }

    public func highestJobID() throws -> UInt64 {
        let lower = serverNumber << Self.idBits
        let highest = try run(PostgresQueueSQL.highestJobID(from: lower, below: lower + 1 << Self.idBits)).first?.decode(Int64.self)
        return UInt64(highest ?? lower)
    }

    public func commit(_ batch: QueueStoreBatch) throws {
        _ = try run(PostgresQueueSQL.commit(batch, server: serverNumber))
    }

    /// Reads the jobs this server holds: those it kept or claimed before a restart.
    public func forEachChunk(of chunkSize: Int, _ body: ([StoredJob]) throws -> Void) throws {
        var lastID: Int64 = 0
        while true {
            let chunk = try run(PostgresQueueSQL.jobs(claimedBy: serverNumber, after: lastID, limit: chunkSize)).map(PostgresQueueSQL.storedJob)
            guard let last = chunk.last else { return }
            try body(chunk)
            lastID = Int64(last.id)
        }
    }

    public func result(id: UInt64, at now: Int64) throws -> StoredResult? {
        try run(PostgresQueueSQL.result(id: Int64(id), at: now)).first.flatMap { try PostgresQueueSQL.storedResult($0, id: id) }
    }

    public func unfinishedJobFunction(id: UInt64) throws -> ByteBuffer? {
        try run(PostgresQueueSQL.unfinishedJobFunction(id: Int64(id))).first?.decode(ByteBuffer.self)
    }

    @discardableResult public func pruneResults(at now: Int64) throws -> Int {
        try run(PostgresQueueSQL.pruneResults(at: now)).metadata.rows ?? 0
    }

    public func claim(functions: [ByteBuffer], limit: Int) throws -> [StoredJob] {
        try run(PostgresQueueSQL.claim(functions: functions, limit: limit, server: serverNumber))
            .map(PostgresQueueSQL.storedJob)
            .sorted { ($0.priority, $0.id) < ($1.priority, $1.id) }
    }

    public func start(jobsAvailable: @escaping @Sendable () -> Void) {
        let heartbeat = PostgresHeartbeat(
            configuration: configuration, serverNumber: serverNumber, eventLoop: group.next(), logger: logger,
            jobsAvailable: jobsAvailable
        )
        self.heartbeat.withLockedValue { $0 = heartbeat }
    }

    public func stop() async {
        await heartbeat.withLockedValue { $0 }?.stop()
        do {
            let offered = try await link.query(PostgresQueueSQL.offerJobs(of: serverNumber)).get().metadata.rows ?? 0
            if offered > 0 { _ = try await link.query(PostgresQueueSQL.notify).get() }
            logger.info("stopped; unfinished jobs are offered to the other servers", metadata: ["jobs": "\(offered)"])
        } catch {
            logger.warning("could not offer unfinished jobs at stop; they are offered once this server is stale", metadata: ["error": "\(Failure(error))"])
        }
        try? await link.close().get()
        try? await group.shutdownGracefully()
    }
}
