import Gearman
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// A loopback server that accepts connections and does not speak Gearman.
final class MisbehavingServer {
    enum Behaviour {
        /// Answers whatever it reads with bytes that are no Gearman packet.
        case answersGarbage
        /// Reads and never answers.
        case neverAnswers
    }

    let address: ServerAddress
    private let channel: any Channel
    private let connections = NIOLockedValueBox((accepted: 0, open: 0))

    /// Connections accepted so far.
    var acceptedConnections: Int { connections.withLockedValue { $0.accepted } }
    /// Accepted connections not closed yet.
    var openConnections: Int { connections.withLockedValue { $0.open } }

    init(_ behaviour: Behaviour) async throws {
        let connections = connections
        channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                connections.withLockedValue {
                    $0.accepted += 1
                    $0.open += 1
                }
                channel.closeFuture.whenComplete { _ in connections.withLockedValue { $0.open -= 1 } }
                return channel.eventLoop.makeCompletedFuture {
                    if behaviour == .answersGarbage { try channel.pipeline.syncOperations.addHandler(GarbageAnswerer()) }
                }
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
