import GearmanProtocol
import GearmanServer
import NIOCore
import Testing

@Suite struct GracefulDrainTests {
    /// A worker registered for `function`, confirmed by an echo round trip.
    private func worker(port: Int, _ function: String) async throws -> TestPeer {
        let worker = try await TestPeer(port: port)
        try await worker.send(.canDo, function)
        try await worker.send(.echoReq, "ready")
        #expect(try await worker.receivePacket().type == .echoRes)
        return worker
    }

    @Test func runningJobsFinishAndTheirResultsArriveBeforeTheServerStops() async throws {
        let server = GearmanServer(configuration: .init(host: "127.0.0.1", port: 0))
        try await server.start()
        let port = server.port!
        let client = try await TestPeer(port: port)
        var handles: [String] = []
        for payload in ["a", "b", "queued"] {
            try await client.send(.submitJob, "slow", "", payload)
            handles.append(try await client.receivePacket().string(0))
        }
        let busy = [try await worker(port: port, "slow"), try await worker(port: port, "slow")]
        for worker in busy {
            try await worker.send(.grabJob)
            #expect(try await worker.receivePacket().type == .jobAssign)
        }
        let idle = try await worker(port: port, "slow")
        let unrelated = try await worker(port: port, "other")

        let drained = Task { await server.drain(timeout: .seconds(30)) }
        // Idle workers are told nothing more is coming: their connections close.
        #expect(try await idle.isClosedByServer())
        #expect(try await unrelated.isClosedByServer())
        // No new connections, no new jobs, no more assignments.
        await #expect(throws: (any Error).self) { _ = try await TestPeer(port: port) }
        try await client.send(.submitJobBackground, "slow", "", "late")
        #expect(try await client.receivePacket().arguments.first.map { String(buffer: $0) } == "SHUTTING_DOWN")
        try await busy[0].send(.grabJob)
        #expect(try await busy[0].receivePacket().type == .noJob)

        // The running jobs finish, in any order, and every result reaches the client.
        try await busy[1].send(.workComplete, handles[1], "B")
        try await busy[0].send(.workData, handles[0], "part")
        try await busy[0].send(.workComplete, handles[0], "A")
        #expect(await drained.value)
        try await server.stop()
        var received: [Packet] = []
        while case .packet(let packet)? = try await client.receive() { received.append(packet) }
        #expect(received == [
            Packet(.response, .workComplete, [handles[1], "B"]), Packet(.response, .workData, [handles[0], "part"]),
            Packet(.response, .workComplete, [handles[0], "A"]),
        ])
    }

    @Test func drainGivesUpAfterItsTimeout() async throws {
        try await withServer { server, port in
            let client = try await TestPeer(port: port)
            try await client.send(.submitJob, "stuck", "", "x")
            _ = try await client.receivePacket()
            let worker = try await worker(port: port, "stuck")
            try await worker.send(.grabJob)
            #expect(try await worker.receivePacket().type == .jobAssign)
            #expect(await server.drain(timeout: .milliseconds(50)) == false)
        }
    }

    @Test func drainWithNothingRunningCompletesAtOnce() async throws {
        try await withServer { server, port in
            let client = try await TestPeer(port: port)
            try await client.send(.submitJobBackground, "later", "", "x")
            _ = try await client.receivePacket()
            #expect(await server.drain(timeout: .seconds(30)))
        }
    }
}
