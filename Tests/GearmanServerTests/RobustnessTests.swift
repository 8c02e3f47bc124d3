import GearmanProtocol
import GearmanServer
import NIOCore
import Testing

/// Hostile or broken peers get an ERROR and a closed connection; nobody else notices.
@Suite struct RobustnessTests {
    private func expectErrorThenClose(_ peer: TestPeer, code: String) async throws {
        let packet = try await peer.receivePacket()
        #expect(packet.type == .error)
        #expect(packet.string(0) == code)
        #expect(try await peer.isClosedByServer())
    }

    /// Another connection still gets served after the hostile one.
    private func expectServerStillServes(port: Int) async throws {
        let bystander = try await TestPeer(port: port)
        try await bystander.send(.echoReq, "still here")
        #expect(try await bystander.receivePacket() == Packet(.response, .echoRes, ["still here"]))
    }

    @Test func garbageBinaryHeader() async throws {
        try await withServer { _, port in
            let peer = try await TestPeer(port: port)
            try await peer.sendRaw(ByteBuffer(bytes: [0, 0x47, 0x41, 0x52, 0x42, 0x41, 0x47, 0x45, 0, 0, 0, 0]))
            try await expectErrorThenClose(peer, code: "INVALID_MAGIC")
            try await expectServerStillServes(port: port)
        }
    }

    @Test func responseMagicFromAClient() async throws {
        try await withServer { _, port in
            let peer = try await TestPeer(port: port)
            var bytes = ByteBuffer()
            bytes.writePacket(Packet(.response, .echoRes, ["x"]))
            try await peer.sendRaw(bytes)
            try await expectErrorThenClose(peer, code: "INVALID_MAGIC")
        }
    }

    @Test func unknownPacketType() async throws {
        try await withServer { _, port in
            let peer = try await TestPeer(port: port)
            var bytes = ByteBuffer()
            bytes.writeMultipleIntegers(PacketMagic.request.rawValue, UInt32(99), UInt32(0))
            try await peer.sendRaw(bytes)
            try await expectErrorThenClose(peer, code: "INVALID_COMMAND")
            try await expectServerStillServes(port: port)
        }
    }

    @Test func fourGigabyteLengthIsRefusedWithoutWaitingForTheBody() async throws {
        try await withServer { _, port in
            let peer = try await TestPeer(port: port)
            var bytes = ByteBuffer()
            bytes.writeMultipleIntegers(PacketMagic.request.rawValue, PacketType.submitJob.rawValue, UInt32.max)
            try await peer.sendRaw(bytes)
            try await expectErrorThenClose(peer, code: "PACKET_TOO_LARGE")
            try await expectServerStillServes(port: port)
        }
    }

    @Test func wrongArgumentCount() async throws {
        try await withServer { _, port in
            let peer = try await TestPeer(port: port)
            var bytes = ByteBuffer()
            bytes.writePacketHeader(.request, .submitJob, bodySize: 4)
            bytes.writeString("only")
            try await peer.sendRaw(bytes)
            try await expectErrorThenClose(peer, code: "INVALID_ARGUMENTS")
        }
    }

    @Test func responsePacketTypeSentAsARequest() async throws {
        try await withServer { _, port in
            let peer = try await TestPeer(port: port)
            try await peer.send(.noop)
            try await expectErrorThenClose(peer, code: "INVALID_COMMAND")
        }
    }

    @Test func workResultForAForeignHandleKeepsTheConnectionAndTheJob() async throws {
        try await withServer { _, port in
            let client = try await TestPeer(port: port)
            try await client.send(.submitJob, "f", "", "x")
            let handle = try await client.receivePacket().string(0)
            let worker = try await TestPeer(port: port)
            try await worker.send(.canDo, "f")
            try await worker.send(.grabJob)
            _ = try await worker.receivePacket()
            let impostor = try await TestPeer(port: port)
            try await impostor.send(.workComplete, handle, "forged")
            #expect(try await impostor.receivePacket() == Packet(.response, .error, ["JOB_NOT_FOUND", "Job given in work result not found"]))
            try await impostor.send(.echoReq, "alive")
            #expect(try await impostor.receivePacket().type == .echoRes)
            try await worker.send(.workComplete, handle, "real")
            #expect(try await client.receivePacket() == Packet(.response, .workComplete, [handle, "real"]))
        }
    }

    @Test func halfAPacketThenDisconnect() async throws {
        try await withServer { _, port in
            let peer = try await TestPeer(port: port)
            var bytes = ByteBuffer()
            bytes.writePacketHeader(.request, .submitJobBackground, bodySize: 100)
            bytes.writeString("half")
            try await peer.sendRaw(bytes)
            await peer.close()
            try await expectServerStillServes(port: port)
            let admin = try await TestPeer(port: port)
            #expect(try await admin.adminResponse("status") == ["."])
        }
    }

    @Test func overlongAdminLineAndNonUTF8() async throws {
        try await withServer { _, port in
            let admin = try await TestPeer(port: port)
            try await admin.sendRaw(ByteBuffer(bytes: [0xFF, 0xFE, 0x80, 0x0A]))
            #expect(try await admin.receive() == .adminLine(ByteBuffer(string: "ERR UNKNOWN_COMMAND Unknown+server+command\u{FFFD}\u{FFFD}\u{FFFD}")))
            try await admin.sendRaw(ByteBuffer(repeating: UInt8(ascii: "a"), count: 1 << 20))
            try await expectErrorThenClose(admin, code: "LINE_TOO_LONG")
            try await expectServerStillServes(port: port)
        }
    }

    @Test func disconnectingAtEveryStageLosesNoBackgroundJob() async throws {
        try await withServer { _, port in
            // Client leaves right after submitting a background job: the job stays.
            let client = try await TestPeer(port: port)
            try await client.send(.submitJobBackground, "bg", "", "payload")
            let handle = try await client.receivePacket().string(0)
            await client.close()
            // A worker takes it and vanishes twice, once before and once after sending status.
            for sendsStatus in [false, true] {
                let worker = try await TestPeer(port: port)
                try await worker.send(.canDo, "bg")
                try await worker.send(.grabJob)
                #expect(try await worker.receivePacket().string(0) == handle)
                if sendsStatus { try await worker.send(.workStatus, handle, "1", "2") }
                await worker.close()
            }
            let admin = try await TestPeer(port: port)
            try await waitUntil { try await admin.adminResponse("status") == ["bg\t1\t0\t0", "."] }
            let finisher = try await TestPeer(port: port)
            try await finisher.send(.canDo, "bg")
            try await finisher.send(.grabJob)
            #expect(try await finisher.receivePacket().string(2) == "payload")
            try await finisher.send(.workComplete, handle, "")
            try await waitUntil { try await admin.adminResponse("status") == ["bg\t0\t0\t1", "."] }
        }
    }

    @Test func clientLeavingWhileItsJobRunsDoesNotDisturbTheWorker() async throws {
        try await withServer { _, port in
            let client = try await TestPeer(port: port)
            try await client.send(.submitJob, "f", "", "x")
            let handle = try await client.receivePacket().string(0)
            let worker = try await TestPeer(port: port)
            try await worker.send(.canDo, "f")
            try await worker.send(.grabJob)
            _ = try await worker.receivePacket()
            await client.close()
            try await worker.send(.workData, handle, "for nobody")
            try await worker.send(.workComplete, handle, "done")
            try await worker.send(.echoReq, "fine")
            #expect(try await worker.receivePacket() == Packet(.response, .echoRes, ["fine"]))
        }
    }
}
