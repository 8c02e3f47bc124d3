import GearmanProtocol
import NIOCore

/// Tells a peer beyond `--max-connections` why it is turned away, in an ERROR packet, then closes.
final class RefusingHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let limit: Int

    init(limit: Int) {
        self.limit = limit
    }

    func channelActive(context: ChannelHandlerContext) {
        var packet = context.channel.allocator.buffer(capacity: 96)
        packet.writePacket(
            .response, .error, ByteBuffer(string: "TOO_MANY_CONNECTIONS"),
            ByteBuffer(string: "the server serves at most \(limit) connections; try again later")
        )
        context.writeAndFlush(wrapOutboundOut(packet)).assumeIsolated().whenComplete { _ in context.close(promise: nil) }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {}  // Whatever it sent is not read.
}
