import Foundation
import GearmanProtocol
import GearmanServer
import NIOCore
import Testing

/// Queued jobs past `queuedJobsInMemory` are held by id only and read back from the SQLite store: with a
/// limit of 2, all but the first two jobs of a queue are cold, and every behaviour must hold for them.
@Suite struct ColdJobTests {
    private func withColdServer<T>(path: String, _ body: (Int) async throws -> T) async throws -> T {
        var configuration = ServerConfiguration(host: "127.0.0.1", port: 0, threads: 1)
        configuration.queuedJobsInMemory = 2
        return try await withServer(configuration, queueStore: try SQLiteQueueStore(path: path)) { _, port in try await body(port) }
    }

    /// Submits background jobs to `function`, returning their handles.
    private func submit(
        _ payloads: [String], to function: String, type: PacketType = .submitJobBackground, uniques: [String]? = nil,
        on client: TestPeer
    ) async throws -> [String] {
        var handles: [String] = []
        for (index, payload) in payloads.enumerated() {
            try await client.send(type, function, uniques?[index] ?? "", payload)
            let created = try await client.receivePacket()
            #expect(created.type == .jobCreated)
            handles.append(created.string(0))
        }
        return handles
    }

    /// Grabs the next job as a worker library does: after NO_JOB it sleeps until woken, then grabs again.
    private func grabNext(_ worker: TestPeer) async throws -> Packet {
        while true {
            try await worker.send(.grabJob)
            let answer = try await worker.receivePacket()
            if answer.type == .jobAssign { return answer }
            #expect(answer.type == .noJob)
            try await worker.send(.preSleep)
            #expect(try await worker.receivePacket().type == .noop)
        }
    }

    /// Grabs and completes `count` jobs, returning their payloads in the order they came.
    private func run(_ count: Int, of function: String, port: Int) async throws -> [String] {
        let worker = try await TestPeer(port: port)
        try await worker.send(.canDo, function)
        var payloads: [String] = []
        for _ in 0..<count {
            let job = try await grabNext(worker)
            payloads.append(job.string(2))
            try await worker.send(.workComplete, job.string(0), "")
        }
        try await worker.send(.grabJob)
        #expect(try await worker.receivePacket().type == .noJob)
        return payloads
    }

    @Test func coldJobsRunInPriorityThenFIFOOrder() async throws {
        let path = temporaryQueuePath("geard-cold")
        defer { try? FileManager.default.removeItem(atPath: path) }
        try await withColdServer(path: path) { port in
            let client = try await TestPeer(port: port)
            let past = String(Int(Date.now.timeIntervalSince1970) - 60)
            _ = try await submit((1...5).map { "low\($0)" }, to: "order", type: .submitJobLowBackground, on: client)
            _ = try await submit((1...4).map { "normal\($0)" }, to: "order", on: client)
            try await client.send(.submitJobEpoch, "order", "", past, "epoch")
            #expect(try await client.receivePacket().type == .jobCreated)
            _ = try await submit((1...5).map { "high\($0)" }, to: "order", type: .submitJobHighBackground, on: client)
            // A foreground job behind cold ones waits in its place.
            let waiter = try await TestPeer(port: port)
            try await waiter.send(.submitJob, "order", "", "foreground")
            let foreground = try await waiter.receivePacket().string(0)

            let admin = try await TestPeer(port: port)
            #expect(try await admin.adminResponse("prioritystatus") == ["order\t5\t6\t5\t0", "."])
            let expected = (1...5).map { "high\($0)" } + (1...4).map { "normal\($0)" } + ["epoch", "foreground"] + (1...5).map { "low\($0)" }
            #expect(try await run(16, of: "order", port: port) == expected)
            #expect(try await waiter.receivePacket() == Packet(.response, .workComplete, [foreground, ""]))
            #expect(try await admin.adminResponse("status") == ["order\t0\t0\t1", "."])
        }
    }

    @Test func coldJobsAnswerStatusCoalesceAndCancel() async throws {
        let path = temporaryQueuePath("geard-cold")
        defer { try? FileManager.default.removeItem(atPath: path) }
        try await withColdServer(path: path) { port in
            let client = try await TestPeer(port: port)
            let handles = try await submit((1...5).map { "p\($0)" }, to: "f", uniques: (1...5).map { "u\($0)" }, on: client)

            try await client.send(.getStatus, handles[4])
            #expect(try await client.receivePacket() == Packet(.response, .statusRes, [handles[4], "1", "0", "0", "0"]))
            try await client.send(.getStatusUnique, "u5")
            #expect(try await client.receivePacket() == Packet(.response, .statusResUnique, ["u5", "1", "0", "0", "0", "0"]))
            #expect(try await submit(["again"], to: "f", uniques: ["u4"], on: client) == [handles[3]])

            let admin = try await TestPeer(port: port)
            #expect(try await admin.adminResponse("status") == ["f\t5\t0\t0", "."])
            #expect(try await admin.adminResponse("show unique jobs") == (0..<5).map { "u\($0 + 1)\t\(handles[$0])" } + ["."])
            #expect(try await admin.adminResponse("show jobs") == handles.map { "\($0)\t0\t0\t1" } + ["."])
            #expect(try await admin.adminResponse("maxqueue f 5") == ["OK"])
            try await client.send(.submitJobBackground, "f", "", "over")
            #expect(try await client.receivePacket().string(0) == "QUEUE_ERROR")
            #expect(try await admin.adminResponse("maxqueue f 0") == ["OK"])

            #expect(try await admin.adminResponse("cancel job \(handles[2])") == ["OK"])
            #expect(try await admin.adminResponse("cancel job \(handles[2])") == ["ERR UNKNOWN_JOB"])
            try await client.send(.getStatus, handles[2])
            #expect(try await client.receivePacket() == Packet(.response, .statusRes, [handles[2], "0", "0", "0", "0"]))
            #expect(try await admin.adminResponse("status") == ["f\t4\t0\t0", "."])

            // A foreground submit joins a cold job and gets its result.
            let joiner = try await TestPeer(port: port)
            try await joiner.send(.submitJob, "f", "u5", "ignored")
            #expect(try await joiner.receivePacket() == Packet(.response, .jobCreated, [handles[4]]))
            try await joiner.send(.getStatusUnique, "u5")
            #expect(try await joiner.receivePacket() == Packet(.response, .statusResUnique, ["u5", "1", "0", "0", "0", "1"]))

            #expect(try await run(4, of: "f", port: port) == ["p1", "p2", "p4", "p5"])
            #expect(try await joiner.receivePacket() == Packet(.response, .workComplete, [handles[4], ""]))
            #expect(try await admin.adminResponse("show jobs") == ["."])
        }
    }

    @Test func coldJobsAfterARestartKeepTheirOrderAndCoalesce() async throws {
        let path = temporaryQueuePath("geard-cold")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let handles = try await withColdServer(path: path) { port in
            try await submit((1...6).map { "p\($0)" }, to: "r", uniques: (1...6).map { "u\($0)" }, on: TestPeer(port: port))
        }
        try await withColdServer(path: path) { port in
            let client = try await TestPeer(port: port)
            #expect(try await submit(["again"], to: "r", uniques: ["u6"], on: client) == [handles[5]])
            try await client.send(.getStatus, handles[5])
            #expect(try await client.receivePacket() == Packet(.response, .statusRes, [handles[5], "1", "0", "0", "0"]))
            #expect(try await run(6, of: "r", port: port) == (1...6).map { "p\($0)" })
        }
        try await withColdServer(path: path) { port in
            let admin = try await TestPeer(port: port)
            #expect(try await admin.adminResponse("status") == ["."])
        }
    }
}
