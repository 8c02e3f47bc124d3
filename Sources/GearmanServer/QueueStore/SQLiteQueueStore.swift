import Foundation
import GRDB
import GearmanProtocol
import Logging
import NIOConcurrencyHelpers
import NIOCore

/// The embedded default queue store: one SQLite file in WAL mode, with the kept results of finished jobs.
/// Reads of queued jobs (``jobs(withIDs:)``) run on their own connections, beside the commits.
///
/// A commit is durable against a crash of the server process (`kill -9`) once it returns; with
/// `synchronous: .full` it also survives a crash of the machine, at the cost of an fsync per commit.
public final class SQLiteQueueStore: ResultStore, ReadableQueueStore {
    /// How hard a commit pushes to disk.
    public enum Synchronous: String, Sendable, CaseIterable {
        /// Written to the WAL before the commit returns: survives a crash of the server.
        case normal
        /// Also fsynced: survives a crash of the machine.
        case full
    }

    public let path: String
    let synchronous: Synchronous
    let logger: Logger
    /// The open database; replaced when its file is recreated.
    let database: NIOLockedValueBox<OpenDatabase>

    public var description: String { "sqlite:\(path)" }

    /// Opens (or creates) the queue file. Throws a ``Failure`` naming the file for one that is not SQLite, is
    /// damaged, or holds a foreign table.
    public init(path: String, synchronous: Synchronous = .normal, logger: Logger = Logger(label: "geard.queue")) throws {
        self.path = path
        self.synchronous = synchronous
        self.logger = logger
        do {
            database = NIOLockedValueBox(try Self.open(path: path, synchronous: synchronous))
        } catch {
            throw Failure("cannot open the SQLite queue \(path): \(Failure(error))")
        }
    }

    /// Opens the file, checks its structure and table, and notes which file it is.
    static func open(path: String, synchronous: Synchronous) throws -> OpenDatabase {
        var configuration = Configuration()
        configuration.label = "geard.queue"
        // The pool puts the file in WAL mode itself.
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = \(synchronous.rawValue.uppercased())")
        }
        let queue = try DatabasePool(path: path, configuration: configuration)
        do {
            try queue.write { db in
                // Reads every page once (0.4 s for a million jobs), so damage stops the start rather than a commit.
                let problems = try String.fetchAll(db, sql: "PRAGMA quick_check(3)")
                guard problems == ["ok"] else { throw Failure("the file is damaged: \(problems.joined(separator: "; "))") }
                try db.execute(sql: Self.schema)
                for (table, expected) in [("gearman_jobs", Self.columns), ("gearman_results", Self.resultColumns)] {
                    let columns = try Set(db.columns(in: table).map(\.name))
                    guard columns == expected else {
                        throw Failure("table \(table) has columns \(columns.sorted()), expected \(expected.sorted())")
                    }
                }
            }
            guard let file = FileIdentity(path: path) else { throw Failure("the file disappeared while it was opened") }
            return OpenDatabase(queue: queue, file: file)
        } catch {
            try? queue.close()
            throw error
        }
    }

    private static let schema = """
        CREATE TABLE IF NOT EXISTS gearman_jobs (
            id INTEGER PRIMARY KEY,
            function BLOB NOT NULL,
            uniq BLOB NOT NULL,
            payload BLOB NOT NULL,
            priority INTEGER NOT NULL,
            run_at INTEGER,
            retries INTEGER NOT NULL,
            submitted_at INTEGER NOT NULL,
            reducer BLOB
        );
        CREATE TABLE IF NOT EXISTS gearman_results (
            id INTEGER PRIMARY KEY,
            handle BLOB NOT NULL,
            function BLOB NOT NULL,
            uniq BLOB NOT NULL,
            status TEXT NOT NULL,
            data BLOB NOT NULL,
            finished_at INTEGER NOT NULL,
            expires_at INTEGER NOT NULL
        );
        CREATE INDEX IF NOT EXISTS gearman_results_expiry ON gearman_results (expires_at);
        """
    private static let columns: Set<String> = ["id", "function", "uniq", "payload", "priority", "run_at", "retries", "submitted_at", "reducer"]
    private static let resultColumns: Set<String> = ["id", "handle", "function", "uniq", "status", "data", "finished_at", "expires_at"]

    /// Counts kept results too: a finished job's id must not come back after a restart while its result is kept.
    public func highestJobID() throws -> UInt64 {
        do {
            return try database.withLockedValue { $0.queue }.read { db in
                UInt64(
                    try Int64.fetchOne(
                        db, sql: "SELECT MAX((SELECT COALESCE(MAX(id), 0) FROM gearman_jobs), (SELECT COALESCE(MAX(id), 0) FROM gearman_results))"
                    ) ?? 0
                )
            }
        } catch {
            throw Failure(error)
        }
    }

    /// Applies the batch in the file at ``path``, recreating the file first when it was deleted or moved.
    public func commit(_ batch: QueueStoreBatch) throws {
        do {
            try database.withLockedValue { open in
                try keepFileInPlace(&open)
                do {
                    try write(batch, to: open)
                } catch is Moved {
                    try keepFileInPlace(&open)
                    try write(batch, to: open)
                }
            }
        } catch {
            throw Failure(error)
        }
    }

    private func write(_ batch: QueueStoreBatch, to open: OpenDatabase) throws {
        guard !batch.isEmpty else { return }
        try open.queue.write { db in
            if !batch.added.isEmpty {
                let insert = try db.cachedStatement(
                    sql: "INSERT OR REPLACE INTO gearman_jobs (id, function, uniq, payload, priority, run_at, retries, submitted_at, reducer) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
                )
                for job in batch.added {
                    try insert.execute(arguments: [
                        Int64(job.id), Data(job.function.readableBytesView), Data(job.unique.readableBytesView),
                        Data(job.payload.readableBytesView), job.priority.rawValue, job.runAt, job.retries, job.submittedAt,
                        job.reducer.map { Data($0.readableBytesView) },
                    ])
                }
            }
            if !batch.retried.isEmpty {
                let update = try db.cachedStatement(sql: "UPDATE gearman_jobs SET retries = ? WHERE id = ?")
                for (id, retries) in batch.retried { try update.execute(arguments: [retries, Int64(id)]) }
            }
            if !batch.removed.isEmpty {
                let delete = try db.cachedStatement(sql: "DELETE FROM gearman_jobs WHERE id = ?")
                for id in batch.removed { try delete.execute(arguments: [Int64(id)]) }
            }
            if !batch.results.isEmpty {
                let insert = try db.cachedStatement(
                    sql: "INSERT OR REPLACE INTO gearman_results (id, handle, function, uniq, status, data, finished_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
                )
                for result in batch.results {
                    try insert.execute(arguments: [
                        Int64(result.id), Data(result.handle.readableBytesView), Data(result.function.readableBytesView),
                        Data(result.unique.readableBytesView), result.status.rawValue, Data(result.data.readableBytesView),
                        result.finishedAt, result.expiresAt,
                    ])
                }
            }
            // Rolled back: committed to a file that is gone, the batch would be lost at the next start.
            guard FileIdentity(path: path) == open.file else { throw Moved() }
        }
    }

    public func result(id: UInt64, at now: Int64) throws -> StoredResult? {
        try database.withLockedValue { $0.queue }.read { db in
            try Row.fetchOne(
                db,
                sql: "SELECT handle, function, uniq, status, data, finished_at, expires_at FROM gearman_results WHERE id = ? AND expires_at > ?",
                arguments: [Int64(id), now]
            ).flatMap { row in
                try JobResultLine.Status(rawValue: row.decode(String.self, forColumn: "status")).map { status in
                    StoredResult(
                        id: id, handle: try Self.bytes(row, "handle"), function: try Self.bytes(row, "function"),
                        unique: try Self.bytes(row, "uniq"), status: status, data: try Self.bytes(row, "data"),
                        finishedAt: try row.decode(forColumn: "finished_at"), expiresAt: try row.decode(forColumn: "expires_at")
                    )
                }
            }
        }
    }

    public func unfinishedJobFunction(id: UInt64) throws -> ByteBuffer? {
        try database.withLockedValue { $0.queue }.read { db in
            try Data.fetchOne(db, sql: "SELECT function FROM gearman_jobs WHERE id = ?", arguments: [Int64(id)]).map { ByteBuffer(bytes: $0) }
        }
    }

    @discardableResult public func pruneResults(at now: Int64) throws -> Int {
        try database.withLockedValue { $0.queue }.write { db in
            try db.execute(sql: "DELETE FROM gearman_results WHERE expires_at <= ?", arguments: [now])
            return db.changesCount
        }
    }

    public func forEachChunk(of chunkSize: Int, _ body: ([StoredJob]) throws -> Void) throws {
        let queue = database.withLockedValue { $0.queue }
        var lastID: Int64 = 0
        while true {
            let chunk: [StoredJob]
            do {
                chunk = try queue.read { db in
                    try Row.fetchAll(
                        db,
                        sql: "SELECT \(Self.selectedColumns) FROM gearman_jobs WHERE id > ? ORDER BY id LIMIT ?",
                        arguments: [lastID, chunkSize]
                    ).map(Self.storedJob)
                }
            } catch {
                throw Failure(error)
            }
            guard let last = chunk.last else { return }
            try body(chunk)
            lastID = Int64(last.id)
        }
    }

    public func jobs(withIDs ids: [UInt64]) throws -> [StoredJob] {
        guard !ids.isEmpty else { return [] }
        do {
            return try database.withLockedValue { $0.queue }.read { db in
                // Bound in chunks: SQLite limits the number of parameters of one statement.
                var jobs: [StoredJob] = []
                jobs.reserveCapacity(ids.count)
                for start in stride(from: 0, to: ids.count, by: 500) {
                    let chunk = ids[start..<min(start + 500, ids.count)].map { Int64($0) }
                    let marks = Array(repeating: "?", count: chunk.count).joined(separator: ",")
                    jobs += try Row.fetchAll(
                        db,
                        sql: "SELECT \(Self.selectedColumns) FROM gearman_jobs WHERE id IN (\(marks))",
                        arguments: StatementArguments(chunk)
                    ).map(Self.storedJob)
                }
                return jobs
            }
        } catch {
            throw Failure(error)
        }
    }

    private static let selectedColumns = "id, function, uniq, payload, priority, run_at, retries, submitted_at, reducer"

    /// Reads a blob column without trusting the file: a value of the wrong type throws rather than traps.
    private static func bytes(_ row: Row, _ column: String) throws -> ByteBuffer {
        ByteBuffer(bytes: try row.decode(Data.self, forColumn: column))
    }

    private static func storedJob(_ row: Row) throws -> StoredJob {
        let reducer = try row.decode(Data?.self, forColumn: "reducer")
        return StoredJob(
            id: UInt64(try row.decode(Int64.self, forColumn: "id")), function: try bytes(row, "function"), unique: try bytes(row, "uniq"),
            payload: try bytes(row, "payload"), priority: JobPriority(rawValue: try row.decode(Int.self, forColumn: "priority")) ?? .normal,
            runAt: try row.decode(Int64?.self, forColumn: "run_at"), retries: try row.decode(Int.self, forColumn: "retries"),
            submittedAt: try row.decode(Int64.self, forColumn: "submitted_at"), reducer: reducer.map { ByteBuffer(bytes: $0) }
        )
    }
}
