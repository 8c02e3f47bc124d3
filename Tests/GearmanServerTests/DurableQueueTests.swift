import Foundation
import GearmanProtocol
import GearmanServer
import NIOCore
import ProcessSupport
import Testing

@Suite struct DurableQueueTests {
    private func withDurableServer<T>(path: String, _ body: (Int) async throws -> T) async throws -> T {
        try await GearmanServerTests.withDurableServer(try SQLiteQueueStore(path: path), body)
    }

    @Test func backgroundJobsSurviveARestartWithTheirHandlesPrioritiesAndUniques() async throws {
        let path = temporaryQueuePath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let handles = try await withDurableServer(path: path) { port in
            let client = try await TestPeer(port: port)
            var handles: [String] = []
            for (type, payload, unique) in [
                (PacketType.submitJobLowBackground, "low", ""), (.submitJobBackground, "normal\0binary", "u-normal"),
                (.submitJobHighBackground, "high", ""),
            ] {
                try await client.send(Packet(.request, type, [ByteBuffer(string: "durable"), ByteBuffer(string: unique), ByteBuffer(string: payload)]))
                handles.append(try await client.receivePacket().string(0))
            }
            return handles
        }
        try await withDurableServer(path: path) { port in
            let admin = try await TestPeer(port: port)
            #expect(try await admin.adminResponse("status") == ["durable\t3\t0\t0", "."])
            #expect(try await admin.adminResponse("show unique jobs") == ["u-normal\t\(handles[1])", "."])
            let client = try await TestPeer(port: port)
            try await client.send(.submitJobBackground, "durable", "u-normal", "again")
            #expect(try await client.receivePacket() == Packet(.response, .jobCreated, [handles[1]]))
            try await client.send(.submitJobBackground, "other", "", "new")
            let fresh = try await client.receivePacket().string(0)
            #expect(!handles.contains(fresh))

            let worker = try await TestPeer(port: port)
            try await worker.send(.canDo, "durable")
            var received: [String] = []
            for _ in handles {
                try await worker.send(.grabJob)
                let job = try await worker.receivePacket()
                received.append(job.string(2))
                try await worker.send(.workComplete, job.string(0), "")
            }
            #expect(received == ["high", "normal\0binary", "low"])
            try await worker.send(.echoReq, "sync")
            _ = try await worker.receivePacket()
        }
        try await withDurableServer(path: path) { port in
            let admin = try await TestPeer(port: port)
            #expect(try await admin.adminResponse("status") == ["other\t1\t0\t0", "."])
        }
    }

    @Test func scheduledJobsKeepTheirTimeAcrossARestart() async throws {
        let path = temporaryQueuePath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let runAt = Int(Date.now.timeIntervalSince1970) + 3600
        try await withDurableServer(path: path) { port in
            let client = try await TestPeer(port: port)
            try await client.send(.submitJobEpoch, "later", "", String(runAt), "x")
            #expect(try await client.receivePacket().type == .jobCreated)
        }
        try await withDurableServer(path: path) { port in
            let worker = try await TestPeer(port: port)
            try await worker.send(.canDo, "later")
            try await worker.send(.grabJob)
            #expect(try await worker.receivePacket().type == .noJob)
            let admin = try await TestPeer(port: port)
            #expect(try await admin.adminResponse("status") == ["later\t1\t0\t1", "."])
        }
    }

    /// Clients pair responses with requests in order: a JOB_CREATED waiting for its commit is not overtaken by
    /// the answers to requests pipelined behind it (an ECHO, a foreground submit, a coalesced background submit).
    @Test func answersKeepTheOrderOfTheRequestsWhileAJobIsBeingStored() async throws {
        let path = temporaryQueuePath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        try await withDurableServer(path: path) { port in
            let client = try await TestPeer(port: port)
            try await client.send(.submitJobBackground, "ordered", "earlier", "queued")
            let earlier = try await client.receivePacket()
            #expect(earlier.type == .jobCreated)

            var pipelined = ByteBuffer()
            for packet in [
                Packet(.request, .submitJobBackground, ["ordered", "", "stored"].map { ByteBuffer(string: $0) }),
                Packet(.request, .echoReq, [ByteBuffer(string: "ping")]),
                Packet(.request, .submitJob, ["ordered", "", "foreground"].map { ByteBuffer(string: $0) }),
                Packet(.request, .submitJobBackground, ["ordered", "earlier", "coalesced"].map { ByteBuffer(string: $0) }),
                Packet(.request, .submitJobBackground, ["ordered", "", "stored too"].map { ByteBuffer(string: $0) }),
                Packet(.request, .echoReq, [ByteBuffer(string: "last")]),
            ] {
                pipelined.writePacket(packet)
            }
            try await client.sendRaw(pipelined)
            let answers = [
                try await client.receivePacket(), try await client.receivePacket(), try await client.receivePacket(),
                try await client.receivePacket(), try await client.receivePacket(), try await client.receivePacket(),
            ]
            #expect(answers.map(\.type) == [.jobCreated, .echoRes, .jobCreated, .jobCreated, .jobCreated, .echoRes])
            #expect(answers[1].string(0) == "ping" && answers[5].string(0) == "last")
            #expect(answers[3].string(0) == earlier.string(0))
            #expect(Set(answers.filter { $0.type == .jobCreated }.map { $0.string(0) }).count == 4)
            await client.close()
        }
    }

    @Test func aFileThatIsNotSQLiteIsRefusedWithAClearError() throws {
        let path = temporaryQueuePath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data(repeating: 0x42, count: 4096).write(to: URL(fileURLWithPath: path))
        #expect(throws: (any Error).self) { try SQLiteQueueStore(path: path) }
    }

    @Test func aForeignGearmanJobsTableIsRefused() async throws {
        let path = temporaryQueuePath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        _ = try SQLiteQueueStore(path: path)
        // Simulate another program's table of the same name.
        let other = temporaryQueuePath()
        defer { try? FileManager.default.removeItem(atPath: other) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute('create table gearman_jobs (x)'); c.commit()", other]
        _ = try await ProcessExit(running: process).wait()
        #expect(throws: (any Error).self) { try SQLiteQueueStore(path: other) }
    }
}
