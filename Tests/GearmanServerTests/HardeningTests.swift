import GearmanProtocol
import GearmanServer
import NIOCore
import NIOPosix
import Testing

/// Peers that stall, trickle, never read or crowd in: each is cut off or refused, and nobody else notices.
@Suite struct HardeningTests {
    private static func configuration(_ adjust: (inout ServerConfiguration) -> Void) -> ServerConfiguration {
        var configuration = ServerConfiguration(host: "127.0.0.1", port: 0)
        adjust(&configuration)
        return configuration
    }

    private static let shortFrameTimeout = configuration { $0.frameTimeout = .milliseconds(300) }

    private func expectServed(_ peer: TestPeer, _ text: String = "still here") async throws {
        try await peer.send(.echoReq, text)
        #expect(try await peer.receivePacket() == Packet(.response, .echoRes, [text]))
    }

    @Test func aLengthThatLiesThenSilenceIsTimedOut() async throws {
        try await withServer(Self.shortFrameTimeout) { _, port in
            let idle = try await TestPeer(port: port)
            let liar = try await TestPeer(port: port)
            var bytes = ByteBuffer()
            bytes.writePacketHeader(.request, .submitJobBackground, bodySize: 1000)
            bytes.writeString("f\0\0only a little")
            try await liar.sendRaw(bytes)
            #expect(try await liar.isClosedByServer())
            // The idle peer outlived the deadline: only unfinished frames have one.
            try await expectServed(idle)
            let admin = try await TestPeer(port: port)
            #expect(try await admin.adminResponse("status") == ["."])
        }
    }

    @Test func byteAtATimeSlowlorisIsTimedOut() async throws {
        try await withServer(Self.shortFrameTimeout) { _, port in
            let bystander = try await TestPeer(port: port)
            let slow = try await TestPeer(port: port)
            var packet = ByteBuffer()
            packet.writePacket(Packet(.request, .echoReq, ["a payload that takes far longer than the timeout"]))
            // 60 bytes at 20 ms each: 1.2 s for a frame allowed 0.3 s. The pacing is the attack, not a wait.
            while let byte = packet.readSlice(length: 1) {
                guard (try? await slow.sendRaw(byte)) != nil else { break }
                try await expectServed(bystander)
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(try await slow.receive() == nil, "closed without ever answering the echo")
        }
    }

    @Test func aPeerThatNeverReadsIsDisconnectedOnceItsResponsesPassTheBound() async throws {
        let configuration = Self.configuration {
            $0.maximumPacketSize = 64 << 10
            $0.maximumPendingOutput = 256 << 10
        }
        try await withServer(configuration) { _, port in
            let hog = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .channelOption(.autoRead, value: false)
                .connect(host: "127.0.0.1", port: port).get()
            var request = ByteBuffer()
            request.writePacket(Packet(.request, .setClientID, ["hog"]))
            try await hog.writeAndFlush(request)
            let admin = try await TestPeer(port: port)
            try await waitUntil { try await admin.adminResponse("workers").contains { $0.hasSuffix(" hog :") } }
            // Echo requests of 60 KiB: the answers fill both socket buffers, then the server's pending output.
            let echo = ByteBuffer(repeating: 0x61, count: 60 << 10)
            var sent = 0
            while sent < 2000, hog.isActive {
                var packet = ByteBuffer()
                packet.writePacket(Packet(.request, .echoReq, [echo]))
                guard (try? await hog.writeAndFlush(packet)) != nil else { break }
                sent += 1
            }
            try await waitUntil { try await !admin.adminResponse("workers").contains { $0.hasSuffix(" hog :") } }
            #expect(sent < 2000, "the server hung up before the client sent everything")
            try await expectServed(admin)
            try? await hog.close()
        }
    }

    @Test func connectionsBeyondTheLimitAreRefusedClearly() async throws {
        try await withServer(Self.configuration { $0.maximumConnections = 2 }) { _, port in
            let first = try await TestPeer(port: port)
            let second = try await TestPeer(port: port)
            let third = try await TestPeer(port: port)
            #expect(
                try await third.receivePacket()
                    == Packet(.response, .error, ["TOO_MANY_CONNECTIONS", "the server serves at most 2 connections; try again later"])
            )
            #expect(try await third.isClosedByServer())
            try await expectServed(first)
            try await expectServed(second)
            await first.close()
            // The freed slot is served again once the server has seen the close. Until then a probe is refused,
            // and the server may close it before its echo is even written: that too means "not yet".
            try await waitUntil {
                let next = try await TestPeer(port: port)
                let answer = try? await { try await next.send(.echoReq, "in"); return try await next.receive() }()
                await next.close()
                return answer == .packet(Packet(.response, .echoRes, ["in"]))
            }
        }
    }

    @Test func aTLSHandshakeThatNeverComesIsTimedOut() async throws {
        var configuration = Self.shortFrameTimeout
        configuration.tls = TLSFixtures.serverTLS()
        try await withServer(configuration) { server, _ in
            let silent = try await TestPeer(port: server.tlsPort!)
            #expect(try await silent.isClosedByServer())
        }
    }
}
