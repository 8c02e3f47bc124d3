import Foundation
import GearmanProtocol
import GearmanServer
import Testing

/// A queue file deleted, renamed or whose directory is removed while the server runs loses no acknowledged job.
@Suite(.timeLimit(.minutes(1))) struct QueueFileDisappearanceTests {
    @Test func aDeletedOrRenamedFileIsRecreatedWithEveryAcknowledgedJob() async throws {
        let directory = try TestDirectory()
        defer { directory.remove() }
        let path = directory.queuePath
        let log = LogRecorder()
        try await withDurableServer(try SQLiteQueueStore(path: path, logger: log.logger)) { port in
            let client = try await TestPeer(port: port)
            try await client.send(.submitJobBackground, "kept", "", "before")
            #expect(try await client.receivePacket().type == .jobCreated)

            try FileManager.default.removeItem(atPath: path)
            try await client.send(.submitJobBackground, "kept", "", "after deletion")
            #expect(try await client.receivePacket().type == .jobCreated)

            try FileManager.default.moveItem(atPath: path, toPath: path + ".old")
            try await client.send(.submitJobBackground, "kept", "", "after renaming")
            #expect(try await client.receivePacket().type == .jobCreated)
        }
        #expect(log.messages(atLeast: .notice).filter { $0.hasPrefix("the queue file was deleted or moved") }.count == 2)
        let ran = try await withDurableServer(try SQLiteQueueStore(path: path)) { port in
            try await drainPayloads(port: port, function: "kept")
        }
        #expect(ran == ["before", "after deletion", "after renaming"])
    }

    @Test func whileTheDirectoryIsGoneSubmitsAreRefusedAndTheFileComesBackWithIt() async throws {
        let directory = try TestDirectory()
        defer { directory.remove() }
        let path = directory.queuePath
        let log = LogRecorder()
        try await withDurableServer(try SQLiteQueueStore(path: path), logger: log.logger) { port in
            // One connection is both client and worker, so its packets reach the scheduler in order.
            let peer = try await TestPeer(port: port)
            for payload in ["finished meanwhile", "kept"] {
                try await peer.send(.submitJobBackground, "gone", "", payload)
                #expect(try await peer.receivePacket().type == .jobCreated)
            }
            try await peer.send(.canDo, "gone")
            try await peer.send(.grabJob)
            let assigned = try await peer.receivePacket()
            #expect(assigned.string(2) == "finished meanwhile")

            directory.remove()
            try await peer.send(.workComplete, assigned.string(0), "")
            for _ in 0..<3 {
                try await peer.send(.submitJobBackground, "gone", "", "refused")
                let refused = try await peer.receivePacket()
                #expect(refused.type == .error)
                #expect(refused.string(0) == "QUEUE_ERROR")
                #expect(refused.string(1).contains("cannot be recreated yet"), "\(refused.string(1))")
            }

            // Retried without a new submit, once the directory is back.
            try FileManager.default.createDirectory(atPath: directory.path, withIntermediateDirectories: true)
            try await waitUntil { FileManager.default.fileExists(atPath: path) }
            try await peer.send(.submitJobBackground, "gone", "", "after")
            #expect(try await peer.receivePacket().type == .jobCreated)
        }
        #expect(log.messages(atLeast: .warning) == ["queue store failed; background submits are refused until it works again"])
        #expect(log.messages(atLeast: .notice).last == "queue store works again; background submits are accepted")
        let ran = try await withDurableServer(try SQLiteQueueStore(path: path)) { port in
            try await drainPayloads(port: port, function: "gone")
        }
        #expect(ran == ["kept", "after"])
    }
}
