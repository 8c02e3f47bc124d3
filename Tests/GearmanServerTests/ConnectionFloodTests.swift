import Foundation
import GearmanProtocol
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import Testing

/// Stress tests (connection floods, load) saturate the machine and would starve every other test's timeouts,
/// so they run only when asked for, in a pass of their own.
let stressTestsEnabled = ProcessInfo.processInfo.environment["GEARMAN_STRESS_TESTS"] != nil

/// 10,000 connections at once against a `geard` process (its own descriptor table) with `--max-connections`.
/// A stress test: it saturates both cores, so it runs only alone (`GEARMAN_STRESS_TESTS=1`, see `scripts/test`).
@Suite(.enabled(if: stressTestsEnabled, "set GEARMAN_STRESS_TESTS=1 and run it alone"))
struct ConnectionFloodTests {
    /// Records the first frame a connection receives (`.some(nil)` when it is closed first; `nil` until then).
    private final class FirstFrame: ChannelInboundHandler, Sendable {
        typealias InboundIn = Frame
        let first = NIOLockedValueBox<Frame??>(nil)
        func channelRead(context: ChannelHandlerContext, data: NIOAny) { record(unwrapInboundIn(data)) }
        func channelInactive(context: ChannelHandlerContext) { record(nil) }
        func errorCaught(context: ChannelHandlerContext, error: Error) { context.close(promise: nil) }
        private func record(_ frame: Frame?) {
            first.withLockedValue { if $0 == nil { $0 = .some(frame) } }
        }
    }

    @Test func tenThousandConnectionsAtOnce() async throws {
        let total = 10_000
        let limit = 1_000
        let geard = try await GeardProcess(["--queue", "memory", "--max-connections", "\(limit)"])
        let port = geard.port
        // Once the admin sees only itself, the start-up probe's slot is free: the admin holds one of `limit`.
        let admin = try await TestPeer(port: port)
        try await waitUntil { try await admin.adminResponse("workers").count == 2 }
        let open = limit - 1
        let group = MultiThreadedEventLoopGroup.singleton
        let connections = try await withThrowingTaskGroup(of: (Channel, FirstFrame).self) { tasks in
            for _ in 0..<total {
                tasks.addTask {
                    let probe = FirstFrame()
                    let channel = try await ClientBootstrap(group: group)
                        .connectTimeout(.seconds(60))
                        .channelInitializer { channel in
                            channel.eventLoop.makeCompletedFuture {
                                try channel.pipeline.syncOperations.addHandlers(
                                    ByteToMessageHandler(FrameDecoder(expecting: .response)), probe
                                )
                            }
                        }
                        .connect(host: "127.0.0.1", port: port).get()
                    return (channel, probe)
                }
            }
            return try await tasks.reduce(into: []) { $0.append($1) }
        }
        let refusal = Frame.packet(
            Packet(.response, .error, ["TOO_MANY_CONNECTIONS", "the server serves at most \(limit) connections; try again later"])
        )
        try await waitUntil(timeout: .seconds(60)) {
            connections.count { $0.1.first.withLockedValue { $0 } == .some(refusal) } == total - open
        }
        // Every admitted connection is served.
        let admitted = connections.filter { $0.1.first.withLockedValue { $0 } == nil }
        #expect(admitted.count == open)
        var echo = ByteBuffer()
        echo.writePacket(Packet(.request, .echoReq, ["served"]))
        for (channel, _) in admitted { channel.writeAndFlush(echo, promise: nil) }
        try await waitUntil(timeout: .seconds(60)) { admitted.allSatisfy { $0.1.first.withLockedValue { $0 } != nil } }
        #expect(admitted.allSatisfy { $0.1.first.withLockedValue { $0 } == .some(.packet(Packet(.response, .echoRes, ["served"]))) })
        for (channel, _) in connections { channel.close(promise: nil) }
        #expect(try await admin.adminResponse("status") == ["."])
        await geard.kill(SIGTERM)  // On a failure before here, its deinit kills it.
    }
}
