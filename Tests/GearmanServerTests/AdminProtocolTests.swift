import GearmanProtocol
import GearmanServer
import Testing

@Suite struct AdminProtocolTests {
    @Test func statusWorkersAndJobsListings() async throws {
        try await withServer { _, port in
            let worker = try await TestPeer(port: port)
            try await worker.send(.setClientID, "worker-7")
            try await worker.send(.canDo, "alpha")
            try await worker.send(.canDo, "beta")
            let client = try await TestPeer(port: port)
            try await client.send(.submitJobBackground, "alpha", "u1", "x")
            let handle = try await client.receivePacket().string(0)
            try await client.send(.submitJobHighBackground, "alpha", "", "y")
            _ = try await client.receivePacket()
            let admin = try await TestPeer(port: port)
            #expect(try await admin.adminResponse("status") == ["alpha\t2\t0\t1", "beta\t0\t0\t1", "."])
            #expect(try await admin.adminResponse("prioritystatus") == ["alpha\t1\t1\t0\t1", "beta\t0\t0\t0\t1", "."])
            let workers = try await admin.adminResponse("workers")
            #expect(workers.contains { $0.hasSuffix(" 127.0.0.1 worker-7 : beta alpha") })
            #expect(workers.last == ".")
            let jobs = try await admin.adminResponse("show jobs")
            #expect(jobs.count == 3 && jobs.contains("\(handle)\t0\t0\t1"))
            #expect(try await admin.adminResponse("show unique jobs") == ["u1\t\(handle)", "."])
        }
    }

    @Test func singleLineCommands() async throws {
        try await withServer { _, port in
            let admin = try await TestPeer(port: port)
            #expect(try await admin.adminResponse("version") == ["OK \(GearmanServer.version)"])
            let pid = try await admin.adminResponse("getpid")
            #expect(pid.count == 1 && Int(pid[0].dropFirst(3)) != nil)
            #expect(try await admin.adminResponse("verbose") == ["OK INFO"])
            #expect(try await admin.adminResponse("create function made") == ["OK"])
            #expect(try await admin.adminResponse("status") == ["made\t0\t0\t0", "."])
            #expect(try await admin.adminResponse("drop function made") == ["OK"])
            #expect(try await admin.adminResponse("drop function made") == ["ERR function not found"])
            #expect(try await admin.adminResponse("frobnicate") == ["ERR UNKNOWN_COMMAND Unknown+server+commandfrobnicate"])
            #expect(
                try await admin.adminResponse("maxqueue")
                    == ["ERR INVALID_ARGUMENTS An+incomplete+set+of+arguments+was+sent+to+this+command+maxqueue"]
            )
        }
    }

    @Test func dropFunctionRefusesWhileWorkersOrJobsRemain() async throws {
        try await withServer { _, port in
            let worker = try await TestPeer(port: port)
            try await worker.send(.canDo, "busy")
            let client = try await TestPeer(port: port)
            try await client.send(.submitJobBackground, "queued", "", "x")
            _ = try await client.receivePacket()
            let admin = try await TestPeer(port: port)
            #expect(try await admin.adminResponse("drop function busy") == ["ERR there are still connected workers or executing clients"])
            #expect(try await admin.adminResponse("drop function queued") == ["ERR there are still queued jobs"])
        }
    }

    @Test func cancelJobRemovesAQueuedJobAndFailsItsClients() async throws {
        try await withServer { _, port in
            let client = try await TestPeer(port: port)
            try await client.send(.submitJob, "f", "", "x")
            let handle = try await client.receivePacket().string(0)
            let admin = try await TestPeer(port: port)
            #expect(try await admin.adminResponse("cancel job \(handle)") == ["OK"])
            #expect(try await client.receivePacket() == Packet(.response, .workFail, [handle]))
            #expect(try await admin.adminResponse("cancel job \(handle)") == ["ERR UNKNOWN_JOB"])
            #expect(try await admin.adminResponse("status") == ["f\t0\t0\t0", "."])
        }
    }

    @Test func shutdownAnswersOKAndSignalsTheServer() async throws {
        try await withServer { server, port in
            let admin = try await TestPeer(port: port)
            #expect(try await admin.adminResponse("shutdown graceful") == ["OK"])
            #expect(await server.shutdownRequested() == true)
        }
    }

    @Test func adminAndBinaryTrafficShareAConnection() async throws {
        try await withServer { _, port in
            let peer = try await TestPeer(port: port)
            try await peer.send(.echoReq, "one")
            #expect(try await peer.receivePacket() == Packet(.response, .echoRes, ["one"]))
            #expect(try await peer.adminResponse("status") == ["."])
            try await peer.send(.echoReq, "two")
            #expect(try await peer.receivePacket() == Packet(.response, .echoRes, ["two"]))
        }
    }
}
