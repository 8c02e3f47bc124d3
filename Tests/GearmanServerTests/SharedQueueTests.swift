import Foundation
import GearmanProtocol
import GearmanServer
import NIOConcurrencyHelpers
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
    final class Runs: Sendable {
        private let counts = NIOLockedValueBox<[String: Int]>([:])
        func ran(_ payload: String) { counts.withLockedValue { $0[payload, default: 0] += 1 } }
        var total: Int { counts.withLockedValue { $0.values.reduce(0, +) } }
        var all: [String: Int] { counts.withLockedValue { $0 } }
    }

    /// Grabs and completes jobs of `function` until `runs` reached `expected`, sleeping with PRE_SLEEP between.
    private func work(port: Int, function: String, runs: Runs, until expected: Int) async throws {
        let worker = try await TestPeer(port: port)
        try await worker.send(.canDo, function)
        let deadline = ContinuousClock.now + .seconds(60)
        while runs.total < expected, ContinuousClock.now < deadline {
            try await worker.send(.grabJob)
            let packet = try await worker.receivePacket()
            if packet.type == .jobAssign {
                runs.ran(packet.string(2))
                try await worker.send(.workComplete, packet.string(0), "")
            } else {
                try await worker.send(.preSleep)
                // NOOP when jobs come; the other workers may have taken the last ones, so look again now and then.
                _ = try? await worker.receive(timeout: .milliseconds(500))
            }
        }
        await worker.close()
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
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for port in ports + ports {
                        group.addTask { try await self.work(port: port, function: "once", runs: runs, until: count) }
                    }
                    try await group.waitForAll()
                }
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
                try await work(port: ports[0], function: "outage", runs: runs, until: 2)
                #expect(runs.all == ["before": 1, "after": 1])
                try await waitUntil { try await database.storedJobCount() == 0 }
            }
        }
    }
}
