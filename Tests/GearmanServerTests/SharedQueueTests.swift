import Foundation
import GearmanProtocol
import GearmanServer
import NIOCore
import Testing

/// In-process servers sharing one PostgreSQL queue.
@Suite(.timeLimit(.minutes(2))) struct SharedQueueTests {
    private func withServers<T>(
        _ database: PostgresTestDatabase, names: [String], _ body: ([Int]) async throws -> T
    ) async throws -> T {
        var servers: [GearmanServer] = []
        do {
            for name in names {
                let server = GearmanServer(
                    configuration: ServerConfiguration(host: "127.0.0.1", port: 0, threads: 1),
                    queueStore: try PostgresQueueStore(configuration: try database.configuration(server: name))
                )
                try await server.start()
                servers.append(server)
            }
            let result = try await body(servers.map { $0.port! })
            for server in servers { try await server.stop() }
            return result
        } catch {
            for server in servers { try? await server.stop() }
            throw error
        }
    }

    /// Payloads run by the workers of a test, counted across servers.
    final class Runs: @unchecked Sendable {
        private let lock = NSLock()
        private var counts: [String: Int] = [:]
        func ran(_ payload: String) { lock.withLock { counts[payload, default: 0] += 1 } }
        var total: Int { lock.withLock { counts.values.reduce(0, +) } }
        var all: [String: Int] { lock.withLock { counts } }
    }

    /// Workers of `function` that grab and complete jobs, sleeping with PRE_SLEEP when there are none, until
    /// `runs` reached `expected`; then their connections are closed.
    private func work(ports: [Int], function: String, runs: Runs, until expected: Int) async throws {
        var workers: [TestPeer] = []
        for port in ports {
            let worker = try await TestPeer(port: port)
            try await worker.send(.canDo, function)
            workers.append(worker)
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in workers {
                group.addTask { try await self.work(worker, runs: runs) }
            }
            try await waitUntil(timeout: .seconds(60)) { runs.total >= expected }
            for worker in workers { await worker.close() }
            try await group.waitForAll()
        }
    }

    /// Runs jobs until the connection is closed. Reads never time out here: a timed-out read ends a TestPeer.
    private func work(_ worker: TestPeer, runs: Runs) async throws {
        while (try? await worker.send(.grabJob)) != nil {
            guard case .packet(let packet)? = try await worker.receive(timeout: .seconds(60)) else { return }
            if packet.type == .jobAssign {
                runs.ran(packet.string(2))
                try? await worker.send(.workComplete, packet.string(0), "")
            } else if packet.type == .noJob {
                try? await worker.send(.preSleep)
                // NOOP once jobs come, or the end of the connection.
                guard try await worker.receive(timeout: .seconds(60)) != nil else { return }
            }
        }
    }

    @Test func aJobSubmittedOnOneServerRunsOnAnother() async throws {
        try await PostgresTestDatabase.with { database in
            try await withServers(database, names: ["a", "b"]) { ports in
                let worker = try await TestPeer(port: ports[1])
                try await worker.send(.canDo, "shared")
                try await worker.send(.preSleep)
                let client = try await TestPeer(port: ports[0])
                try await client.send(.submitJobBackground, "shared", "", "from a")
                #expect(try await client.receivePacket().type == .jobCreated)
                #expect(try await worker.receivePacket().type == .noop)
                try await worker.send(.grabJob)
                let assigned = try await worker.receivePacket()
                #expect(assigned.type == .jobAssign)
                #expect(assigned.string(2) == "from a")
                try await worker.send(.workComplete, assigned.string(0), "")
                try await waitUntil { try await database.storedJobCount() == 0 }
            }
        }
    }

    @Test func workersOnTwoServersRunEachJobExactlyOnce() async throws {
        try await PostgresTestDatabase.with { database in
            try await withServers(database, names: ["a", "b"]) { ports in
                let count = 400
                let client = try await TestPeer(port: ports[0])
                var batch = ByteBuffer()
                for index in 0..<count { batch.writePacket(Packet(.request, .submitJobBackground, ["once", "", "job-\(index)"])) }
                try await client.sendRaw(batch)
                for _ in 0..<count { #expect(try await client.receivePacket().type == .jobCreated) }

                let runs = Runs()
                try await work(ports: ports + ports, function: "once", runs: runs, until: count)
                #expect(runs.all.count == count)
                #expect(runs.all.values.allSatisfy { $0 == 1 })
                try await waitUntil { try await database.storedJobCount() == 0 }
            }
        }
    }

    @Test func submitsAreRefusedWhilePostgresIsUnreachableAndAcceptedOnceItIsBack() async throws {
        try await PostgresTestDatabase.with { database in
            try await withServers(database, names: ["a"]) { ports in
                let client = try await TestPeer(port: ports[0])
                try await client.send(.submitJobBackground, "outage", "", "before")
                #expect(try await client.receivePacket().type == .jobCreated)

                try await database.cutOff()
                try await client.send(.submitJobBackground, "outage", "", "during")
                let refused = try await client.receivePacket()
                #expect(refused.type == .error)
                #expect(refused.string(0) == "QUEUE_ERROR")

                try await database.restore()
                try await client.send(.submitJobBackground, "outage", "", "after")
                #expect(try await client.receivePacket().type == .jobCreated)

                let runs = Runs()
                try await work(ports: [ports[0]], function: "outage", runs: runs, until: 2)
                #expect(runs.all == ["before": 1, "after": 1])
                try await waitUntil { try await database.storedJobCount() == 0 }
            }
        }
    }
}
