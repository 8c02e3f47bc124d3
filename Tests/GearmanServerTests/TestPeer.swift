import GearmanProtocol
import GearmanServer
import NIOCore
import NIOPosix
import NIOSSL

/// A raw protocol peer for tests: sends packets or admin lines and reads frames, each read bounded in time.
final class TestPeer: Sendable {
    struct TimedOut: Error {}
    struct UnexpectedFrame: Error {}

    private let channel: Channel
    private let frames: Frames

    /// Collects inbound frames into an async stream; `nil` marks the server closing the connection.
    private final class Collector: ChannelInboundHandler, Sendable {
        typealias InboundIn = Frame
        let continuation: AsyncStream<Frame?>.Continuation
        init(_ continuation: AsyncStream<Frame?>.Continuation) { self.continuation = continuation }
        func channelRead(context: ChannelHandlerContext, data: NIOAny) { continuation.yield(unwrapInboundIn(data)) }
        func channelInactive(context: ChannelHandlerContext) {
            continuation.yield(nil)
            continuation.finish()
        }
        func errorCaught(context: ChannelHandlerContext, error: Error) { context.close(promise: nil) }
    }

    private final class Frames: @unchecked Sendable {
        // Only one test task reads at a time.
        var iterator: AsyncStream<Frame?>.AsyncIterator
        init(_ stream: AsyncStream<Frame?>) { iterator = stream.makeAsyncIterator() }
    }

    /// Connects to `port` on loopback, over TLS when `tls` is given.
    init(port: Int, tls: NIOSSLContext? = nil) async throws {
        let (stream, continuation) = AsyncStream<Frame?>.makeStream()
        frames = Frames(stream)
        channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls {
                        try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: tls, serverHostname: "localhost"))
                    }
                    try channel.pipeline.syncOperations.addHandlers(
                        ByteToMessageHandler(FrameDecoder(expecting: .response, acceptsAdminLines: true)),
                        Collector(continuation)
                    )
                }
            }
            .connect(host: "127.0.0.1", port: port)
            .get()
    }

    func send(_ type: PacketType, _ arguments: String...) async throws {
        try await send(Packet(.request, type, arguments))
    }

    func send(_ packet: Packet) async throws {
        var buffer = ByteBuffer()
        buffer.writePacket(packet)
        try await sendRaw(buffer)
    }

    func sendRaw(_ bytes: ByteBuffer) async throws {
        try await channel.writeAndFlush(bytes)
    }

    func sendLine(_ line: String) async throws {
        try await sendRaw(ByteBuffer(string: line + "\n"))
    }

    /// The next frame, or `nil` once the server closed the connection.
    func receive(timeout: Duration = .seconds(10)) async throws -> Frame? {
        let frames = self.frames
        return try await withThrowingTaskGroup(of: Frame??.self) { group in
            group.addTask { await frames.iterator.next() }
            group.addTask {
                try await Task.sleep(for: timeout)
                throw TimedOut()
            }
            defer { group.cancelAll() }
            return try await group.next()!.flatMap { $0 }
        }
    }

    /// The next frame, which must be a packet.
    func receivePacket(timeout: Duration = .seconds(10)) async throws -> Packet {
        guard case .packet(let packet)? = try await receive(timeout: timeout) else { throw UnexpectedFrame() }
        return packet
    }

    /// Lines of an admin answer up to and including the terminating ".", or a single OK/ERR line.
    func adminResponse(_ command: String) async throws -> [String] {
        try await sendLine(command)
        var lines: [String] = []
        while case .adminLine(let line)? = try await receive() {
            let text = String(buffer: line)
            lines.append(text)
            if text == "." || (lines.count == 1 && (text.hasPrefix("OK") || text.hasPrefix("ERR"))) { break }
        }
        return lines
    }

    /// Whether the server closed the connection (after any frames still in flight).
    func isClosedByServer() async throws -> Bool {
        while let frame = try await receive() { _ = frame }
        return true
    }

    func close() async {
        try? await channel.close()
    }
}

/// Runs `body` against a fresh in-process server on a free loopback port.
func withServer<T>(
    _ configuration: ServerConfiguration = ServerConfiguration(host: "127.0.0.1", port: 0, threads: 1),
    queueStore: QueueStore? = nil,
    _ body: (GearmanServer, Int) async throws -> T
) async throws -> T {
    let server = GearmanServer(configuration: configuration, queueStore: queueStore)
    try await server.start()
    do {
        let result = try await body(server, server.port!)
        try await server.stop()
        return result
    } catch {
        try? await server.stop()
        throw error
    }
}
