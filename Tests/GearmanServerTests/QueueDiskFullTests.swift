import Foundation
import GearmanProtocol
import NIOCore
import Testing

@testable import GearmanServer

/// A full disk, simulated by capping the database at its size: submits are refused while it lasts, acknowledged
/// jobs still run and are removed, and submits are accepted again once there is room, without a restart.
@Suite(.timeLimit(.minutes(1))) struct QueueDiskFullTests {
    /// Larger than a page, so that storing it always needs new pages.
    private let bulky = String(repeating: "x", count: 16_384)

    private func storedPayloads(_ store: SQLiteQueueStore) throws -> [String] {
        var payloads: [String] = []
        try store.forEachChunk(of: 100) { payloads += $0.map { String(buffer: $0.payload) } }
        return payloads
    }

    @Test func submitsAreRefusedWhileTheDiskIsFullAndAcceptedOnceThereIsRoom() async throws {
        let directory = try TestDirectory()
        defer { directory.remove() }
        let store = try SQLiteQueueStore(path: directory.queuePath)
        let log = LogRecorder()
        try await withDurableServer(store, logger: log.logger) { port in
            let peer = try await TestPeer(port: port)
            for payload in ["first", "second"] {
                try await peer.send(.submitJobBackground, "full", "", payload)
                #expect(try await peer.receivePacket().type == .jobCreated)
            }
            try await peer.send(.canDo, "full")
            try await peer.send(.grabJob)
            let first = try await peer.receivePacket()
            #expect(first.string(2) == "first")

            try store.limitPageCount(true)
            // A submit and the removal of `first` reach the store in one commit, which fails. (The small packet
            // comes last: it arrives with the end of the large one, in the same read.)
            var packets = ByteBuffer()
            packets.writePacket(Packet(.request, .submitJobBackground, ["full", "", bulky]))
            packets.writePacket(Packet(.request, .workComplete, [first.string(0), ""]))
            try await peer.sendRaw(packets)
            let refused = try await peer.receivePacket()
            #expect(refused.type == .error)
            #expect(refused.string(0) == "QUEUE_ERROR")
            #expect(refused.string(1).contains("database or disk is full"), "\(refused.string(1))")
            // The removal is retried on its own and lands while the disk is still full.
            try await waitUntil { try storedPayloads(store) == ["second"] }
            try await peer.send(.submitJobBackground, "full", "", bulky)
            #expect(try await peer.receivePacket().type == .error)

            try await peer.send(.grabJob)
            let second = try await peer.receivePacket()
            #expect(second.string(2) == "second")
            try await peer.send(.workComplete, second.string(0), "")
            try await waitUntil { try storedPayloads(store).isEmpty }

            try store.limitPageCount(false)
            try await peer.send(.submitJobBackground, "full", "", "after")
            #expect(try await peer.receivePacket().type == .jobCreated)
        }
        #expect(log.messages(atLeast: .warning) == ["queue store failed; background submits are refused until it works again"])
        #expect(log.messages(atLeast: .notice).last == "queue store works again; background submits are accepted")
        let ran = try await withDurableServer(try SQLiteQueueStore(path: directory.queuePath)) { port in
            try await drainPayloads(port: port, function: "full")
        }
        #expect(ran == ["after"])
    }
}
