import Foundation
import GearmanProtocol
import GearmanServer
import NIOCore
import NIOPosix
import Testing

/// ``PostgresQueueStore`` on its own, against the test PostgreSQL server.
@Suite(.timeLimit(.minutes(2))) struct PostgresQueueStoreTests {
    private func job(
        _ store: PostgresQueueStore, _ number: UInt64, function: String = "f", priority: JobPriority = .normal, runAt: Int64? = nil,
        kept: Bool = true
    ) -> StoredJob {
        StoredJob(
            id: UInt64(store.serverNumber) << UInt64(PostgresQueueStore.idBits) + number, function: ByteBuffer(string: function),
            unique: ByteBuffer(string: number.isMultiple(of: 2) ? "u\(number)" : ""), payload: ByteBuffer(bytes: [0, 1, 2, UInt8(number % 250)]),
            priority: priority, runAt: runAt, retries: 0, submittedAt: 1_700_000_000 + Int64(number),
            reducer: number == 3 ? ByteBuffer(string: "reduce") : nil, isKeptLocally: kept
        )
    }

    private func batch(_ jobs: [StoredJob]) -> QueueStoreBatch {
        var batch = QueueStoreBatch()
        batch.added = jobs
        return batch
    }

    /// Runs blocking store calls off the cooperative pool, as the server's store thread does.
    private func blocking<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await NIOThreadPool.singleton.runIfActive(body)
    }

    @Test func keptJobsComeBackAfterARestartWithTheirChanges() async throws {
        try await PostgresTestDatabase.with { database in
            let configuration = try database.configuration(server: "a")
            let store = try PostgresQueueStore(configuration: configuration)
            let jobs = [job(store, 1), job(store, 2, priority: .high), job(store, 3, priority: .low, runAt: 4_102_444_800)]
            try await blocking {
                try store.commit(self.batch(jobs))
                var changes = QueueStoreBatch()
                changes.retried = [(jobs[0].id, 2)]
                changes.removed = [jobs[1].id]
                try store.commit(changes)
            }
            #expect(try await blocking { try store.highestJobID() } == jobs[2].id)

            // A new store with the same server name, as after a crash (no stop, so nothing was offered).
            let restarted = try PostgresQueueStore(configuration: configuration)
            #expect(restarted.serverNumber == store.serverNumber)
            let recovered = try await blocking {
                var all: [StoredJob] = []
                try restarted.forEachChunk(of: 1) { all += $0 }
                return all
            }
            var expected = [jobs[0], jobs[2]]
            expected[0].retries = 2
            #expect(recovered == expected)
            await restarted.stop()
            await store.stop()
        }
    }

    @Test func eachServerNumbersItsJobsInItsOwnRange() async throws {
        try await PostgresTestDatabase.with { database in
            let a = try PostgresQueueStore(configuration: try database.configuration(server: "a"))
            let b = try PostgresQueueStore(configuration: try database.configuration(server: "b"))
            #expect(a.serverNumber != b.serverNumber)
            let (highestA, highestB) = try await blocking { (try a.highestJobID(), try b.highestJobID()) }
            #expect(highestA == UInt64(a.serverNumber) << 40)
            #expect(highestB == UInt64(b.serverNumber) << 40)
            await a.stop()
            await b.stop()
        }
    }

    @Test func offeredJobsAreClaimedByPriorityThenAgeAndOnlyOnce() async throws {
        try await PostgresTestDatabase.with { database in
            let a = try PostgresQueueStore(configuration: try database.configuration(server: "a"))
            let b = try PostgresQueueStore(configuration: try database.configuration(server: "b"))
            let offered = [
                job(a, 1, kept: false), job(a, 3, priority: .high, kept: false), job(a, 5, function: "other", kept: false),
                job(a, 7, kept: true),
            ]
            let claimed = try await blocking {
                try a.commit(self.batch(offered))
                return (
                    try b.claim(functions: [ByteBuffer(string: "f")], limit: 10),
                    try b.claim(functions: [ByteBuffer(string: "f")], limit: 10)
                )
            }
            #expect(claimed.0.map(\.id) == [offered[1].id, offered[0].id])
            #expect(claimed.1.isEmpty)
            let recovered = try await blocking {
                var all: [StoredJob] = []
                try b.forEachChunk(of: 10) { all += $0 }
                return all
            }
            #expect(Set(recovered.map(\.id)) == [offered[0].id, offered[1].id])
            await a.stop()
            await b.stop()
        }
    }

    @Test func concurrentClaimsTakeEveryJobExactlyOnce() async throws {
        try await PostgresTestDatabase.with { database in
            let a = try PostgresQueueStore(configuration: try database.configuration(server: "a"))
            let claimers = try (0..<3).map { try PostgresQueueStore(configuration: try database.configuration(server: "c\($0)")) }
            let jobs = (1...600).map { job(a, UInt64($0), kept: false) }
            try await blocking { try a.commit(self.batch(jobs)) }
            let pool = NIOThreadPool(numberOfThreads: claimers.count)
            pool.start()
            let claimed = try await withThrowingTaskGroup(of: [UInt64].self) { group in
                for claimer in claimers {
                    group.addTask {
                        try await pool.runIfActive {
                            var ids: [UInt64] = []
                            while case let batch = try claimer.claim(functions: [ByteBuffer(string: "f")], limit: 7), !batch.isEmpty {
                                ids += batch.map(\.id)
                            }
                            return ids
                        }
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            try await pool.shutdownGracefully()
            let ids = claimed.joined().sorted()
            #expect(ids.count == jobs.count)
            let eachOnce = ids == jobs.map(\.id)
            #expect(eachOnce, "claimed twice or missed: \(Set(jobs.map(\.id)).symmetricDifference(ids).sorted().prefix(10))")
            #expect(claimed.allSatisfy { !$0.isEmpty }, "every server should have claimed some")
            for store in claimers + [a] { await store.stop() }
        }
    }

    @Test func theJobsOfASilentServerAreOfferedToTheOthers() async throws {
        try await PostgresTestDatabase.with { database in
            // `silent` never starts its heartbeat, like a server killed right after committing.
            let silent = try PostgresQueueStore(configuration: try database.configuration(server: "silent"))
            let kept = (1...5).map { job(silent, UInt64($0)) }
            try await blocking { try silent.commit(self.batch(kept)) }
            let survivor = try PostgresQueueStore(configuration: try database.configuration(server: "survivor", heartbeat: .milliseconds(100)))
            let (reports, continuation) = AsyncStream<Void>.makeStream()
            survivor.start { continuation.yield() }
            var claimed: [StoredJob] = []
            let deadline = ContinuousClock.now + .seconds(30)
            for await _ in reports where ContinuousClock.now < deadline {
                claimed += try await blocking { try survivor.claim(functions: [ByteBuffer(string: "f")], limit: 100) }
                if claimed.count >= kept.count { break }
            }
            #expect(claimed.map(\.id) == kept.map(\.id))
            await survivor.stop()
            await silent.stop()
        }
    }

    @Test func aForeignGearmanJobsTableIsRefused() async throws {
        try await PostgresTestDatabase.with { database in
            _ = try await database.integers("CREATE TABLE gearman_jobs (x bigint)")
            #expect(throws: PostgresQueueStore.Failure.self) { try PostgresQueueStore(configuration: try database.configuration(server: "a")) }
        }
    }

    @Test func urlsAreParsedAndUnsupportedOnesRefused() throws {
        let configuration = try PostgresQueueStore.Configuration(url: "postgresql://u:p%40ss@db.example:6543/jobs", serverName: "s")
        #expect(configuration.connection.host == "db.example")
        #expect(configuration.connection.port == 6543)
        #expect(configuration.connection.username == "u")
        #expect(configuration.connection.password == "p@ss")
        #expect(configuration.connection.database == "jobs")
        #expect(try PostgresQueueStore.Configuration(url: "postgres://u@h", serverName: "s").connection.database == "u")
        for bad in ["mysql://u@h/db", "postgres://h/db", "postgres://u@h/db?sslmode=require", "not a url"] {
            #expect(throws: PostgresQueueStore.InvalidURL.self) { try PostgresQueueStore.Configuration(url: bad, serverName: "s") }
        }
    }
}
