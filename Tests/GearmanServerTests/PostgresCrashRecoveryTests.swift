import Foundation
import GearmanProtocol
import NIOCore
import Testing

/// Two real geard processes sharing a PostgreSQL queue; one is killed with SIGKILL during a submit storm.
@Suite struct PostgresCrashRecoveryTests {
    /// Submits pipelined background jobs to `port` until the connection dies or `batches` were sent.
    private func storm(port: Int, client: String, batches: Int = .max, refused: CrashRecoveryTests.Refusals) async -> [String] {
        var acknowledged: [String] = []
        guard let peer = try? await TestPeer(port: port) else { return [] }
        for batchNumber in 0..<batches {
            var batch = ByteBuffer()
            let payloads = (0..<32).map { "\(client)-\(batchNumber)-\($0)" }
            for payload in payloads { batch.writePacket(Packet(.request, .submitJobBackground, ["crash", "", payload])) }
            guard (try? await peer.sendRaw(batch)) != nil else { return acknowledged }
            for payload in payloads {
                guard let frame = try? await peer.receive(), case .packet(let packet) = frame else { return acknowledged }
                if packet.type == .jobCreated { acknowledged.append(payload) } else { refused.add(payload) }
            }
        }
        await peer.close()
        return acknowledged
    }

    @Test(.timeLimit(.minutes(3))) func killNineOfOneServerLosesNothingAcknowledgedAndRunsEachJobOnce() async throws {
        try await PostgresTestDatabase.with { database in
            let arguments = ["--queue", "postgres", "--queue-url", database.url, "--queue-heartbeat", "0.2"]
            let doomed = try await GeardProcess(arguments)
            let survivor = try await GeardProcess(arguments)
            // Idle workers make each server keep the jobs submitted to it, so the survivor gets the killed
            // server's jobs only once its heartbeat is stale.
            var idleWorkers: [TestPeer] = []
            for port in [doomed.port, survivor.port] {
                let idle = try await TestPeer(port: port)
                try await idle.send(.canDo, "crash")
                idleWorkers.append(idle)
            }
            let refused = CrashRecoveryTests.Refusals()
            let acknowledged = try await withThrowingTaskGroup(of: [String].self) { group in
                for client in 0..<2 {
                    group.addTask { await self.storm(port: doomed.port, client: "doomed\(client)", refused: refused) }
                    group.addTask { await self.storm(port: survivor.port, client: "survivor\(client)", batches: 30, refused: refused) }
                }
                let admin = try await TestPeer(port: doomed.port)
                try await waitUntil(timeout: .seconds(60)) {
                    let columns = try await admin.adminResponse("status").first?.split(separator: "\t") ?? []
                    return columns.count == 4 && (Int(columns[1]) ?? 0) >= 1_500
                }
                await doomed.kill(SIGKILL)
                var all: [String] = []
                for try await payloads in group { all += payloads }
                return all
            }
            #expect(acknowledged.count > 2_000)
            #expect(refused.all.isEmpty)

            // Drain everything through the survivor: its own jobs at once, the killed server's after its heartbeat lapsed.
            let worker = try await TestPeer(port: survivor.port)
            try await worker.send(.canDo, "crash")
            var ran: [String: Int] = [:]
            let deadline = ContinuousClock.now + .seconds(60)
            while ContinuousClock.now < deadline {
                try await worker.send(.grabJob)
                let packet = try await worker.receivePacket()
                if packet.type == .jobAssign {
                    ran[packet.string(2), default: 0] += 1
                    try await worker.send(.workComplete, packet.string(0), "")
                } else if try await database.storedJobCount() == 0 {
                    break
                }
                // NO_JOB with jobs left: the killed server's wait for its heartbeat to lapse, and each NO_JOB makes
                // the survivor claim. (No PRE_SLEEP: once only finished jobs' deletes are pending, no NOOP would come.)
            }
            let missing = acknowledged.filter { ran[$0] == nil }
            #expect(missing.isEmpty, "acknowledged jobs lost: \(missing.prefix(10))")
            #expect(ran.filter { $0.value > 1 }.isEmpty, "jobs run more than once")
            #expect(try await database.storedJobCount() == 0)
            for idle in idleWorkers { await idle.close() }
            await survivor.kill(SIGTERM)
        }
    }
}
