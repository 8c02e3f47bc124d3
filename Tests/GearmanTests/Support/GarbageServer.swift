import Gearman
import NIOCore
import NIOPosix

/// A loopback server that answers whatever it reads with bytes that are no Gearman packet.
final class GarbageServer {
    let address: ServerAddress
    private let channel: any Channel

    init() async throws {
        channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(GarbageAnswerer()) }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        address = ServerAddress(host: "127.0.0.1", port: channel.localAddress!.port!)
    }

    func close() async throws {
        try await channel.close()
    }
}

private final class GarbageAnswerer: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: "HTTP/1.1 400 Bad Request\r\n\r\n")), promise: nil)
    }
}
