import Foundation
import GearmanProtocol
import NIOCore
import Testing

/// `kill -9` of a real geard during a storm of background submits loses no acknowledged job.
@Suite struct CrashRecoveryTests {
    /// Submits pipelined background jobs until the connection dies; returns the payloads acknowledged.
    private func storm(port: Int, client: Int, refused: Refusals) async -> [String] {
        var acknowledged: [String] = []
        guard let peer = try? await TestPeer(port: port) else { return [] }
        var sequence = 0
        while true {
            var batch = ByteBuffer()
            var payloads: [String] = []
            for _ in 0..<32 {
                sequence += 1
                let payload = "c\(client)-\(sequence)"
                payloads.append(payload)
                batch.writePacket(Packet(.request, .submitJobBackground, ["crash", "", payload]))
            }
            guard (try? await peer.sendRaw(batch)) != nil else { return acknowledged }
            for payload in payloads {
                guard let frame = try? await peer.receive(), case .packet(let packet) = frame else { return acknowledged }
                if packet.type == .jobCreated {
                    acknowledged.append(payload)
                } else {
                    refused.add(payload)
                }
            }
        }
    }

    final class Refusals: @unchecked Sendable {
        private let lock = NSLock()
        private var payloads: [String] = []
        func add(_ payload: String) { lock.withLock { payloads.append(payload) } }
        var all: [String] { lock.withLock { payloads } }
    }

    @Test(.timeLimit(.minutes(2))) func killNineDuringASubmitStormLosesNothingAcknowledged() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("geard-crash-\(UUID().uuidString).sqlite").path
        defer {
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        }
        let first = try await GeardProcess(["--queue", "sqlite", "--queue-path", path])
        let refused = Refusals()
        let acknowledged = try await withThrowingTaskGroup(of: [String].self) { group in
            for client in 0..<4 {
                group.addTask { await self.storm(port: first.port, client: client, refused: refused) }
            }
            // Let the storm run until a few thousand jobs were acknowledged, then kill without warning.
            let admin = try await TestPeer(port: first.port)
            try await waitUntil(timeout: .seconds(60)) {
                let columns = try await admin.adminResponse("status").first?.split(separator: "\t") ?? []
                return columns.count == 4 && (Int(columns[1]) ?? 0) >= 3_000
            }
            await first.kill(SIGKILL)
            var all: [String] = []
            for try await payloads in group { all += payloads }
            return all
        }
        #expect(acknowledged.count > 1_000, "the storm should have been acknowledged in part before the kill")
        #expect(refused.all.isEmpty)

        let second = try await GeardProcess(port: first.port, ["--queue", "sqlite", "--queue-path", path])
        let worker = try await TestPeer(port: second.port)
        try await worker.send(.canDo, "crash")
        var ran: [String: Int] = [:]
        while true {
            try await worker.send(.grabJob)
            let packet = try await worker.receivePacket()
            guard packet.type == .jobAssign else { break }
            ran[packet.string(2), default: 0] += 1
            try await worker.send(.workComplete, packet.string(0), "")
        }
        let missing = acknowledged.filter { ran[$0] == nil }
        #expect(missing.isEmpty, "acknowledged jobs lost: \(missing.prefix(10))")
        #expect(ran.values.allSatisfy { $0 == 1 })
        await second.kill(SIGTERM)
    }
}
