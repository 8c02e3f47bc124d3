import Foundation
import GearmanProtocol
import GearmanServer
import Testing

/// One server on a PostgreSQL queue whose database goes down (a cut TCP relay) and comes back.
@Suite(.timeLimit(.minutes(2))) struct PostgresOutageTests {
    @Test func submitsAreRefusedDuringAnOutageAndNothingAcknowledgedIsLost() async throws {
        try await PostgresTestDatabase.with { database in
            var url = try #require(URLComponents(string: database.url))
            let proxy = try await TCPProxy(forwardingTo: try #require(url.host), port: try #require(url.port))
            url.port = proxy.port
            let configuration = try PostgresQueueStore.Configuration(url: url.string!, serverName: "single", heartbeatInterval: .milliseconds(200))
            let log = LogRecorder()
            try await withDurableServer(try PostgresQueueStore(configuration: configuration, logger: log.logger), logger: log.logger) { port in
                // One connection is both client and worker, so its packets reach the scheduler in order.
                // It registers first: jobs without a worker would be offered to other servers, not kept.
                let peer = try await TestPeer(port: port)
                try await peer.send(.canDo, "outage")
                for payload in ["finished meanwhile", "kept"] {
                    try await peer.send(.submitJobBackground, "outage", "", payload)
                    #expect(try await peer.receivePacket().type == .jobCreated)
                }
                try await peer.send(.grabJob)
                let assigned = try await peer.receivePacket()
                try #require(assigned.type == .jobAssign)
                #expect(assigned.string(2) == "finished meanwhile")

                await proxy.cut()
                try await peer.send(.workComplete, assigned.string(0), "")
                for _ in 0..<3 {
                    try await peer.send(.submitJobBackground, "outage", "", "refused")
                    let refused = try await peer.receivePacket()
                    #expect(refused.type == .error)
                    #expect(refused.string(0) == "QUEUE_ERROR")
                }

                proxy.restore()
                // The removal of the job finished during the outage lands without a new submit.
                try await waitUntil { try await database.storedJobCount() == 1 }
                try await peer.send(.submitJobBackground, "outage", "", "after")
                #expect(try await peer.receivePacket().type == .jobCreated)
            }
            await proxy.close()
            let stored = try await database.integers("SELECT count(*) FROM gearman_jobs WHERE payload IN ('kept'::bytea, 'after'::bytea)")
            #expect(stored == [2])
            #expect(try await database.storedJobCount() == 2)
            let problems = log.messages(atLeast: .warning)
            #expect(problems.filter { $0.hasPrefix("queue store failed") }.count == 1, "\(problems)")
            // Each of the store's two connections tells once that it lost the database.
            #expect(problems.filter { $0.hasPrefix("PostgreSQL is unreachable") }.count <= 2, "\(problems)")
            #expect(log.messages(atLeast: .notice).contains("queue store works again; background submits are accepted"))
        }
    }
}
