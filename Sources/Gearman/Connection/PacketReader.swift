import GearmanProtocol
import NIOCore

/// Decodes a server's packets as bytes arrive and hands each straight to its ``ServerConnection``: one handler
/// instead of a decoder and a consumer, so a packet costs no pipeline hop and no type-erased box.
/// A protocol error closes the channel.
final class PacketReader: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer

    private let connection: ServerConnection
    private var decoder = FrameDecoder(expecting: .response)
    /// Bytes of a packet not complete yet.
    private var partial: ByteBuffer?

    init(connection: ServerConnection) {
        self.connection = connection
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        if var earlier = partial.take() {
            earlier.writeBuffer(&bytes)
            bytes = earlier
        }
        do {
            while let frame = try decoder.decode(buffer: &bytes) {
                if case .packet(let packet) = frame { connection.received(packet, on: context.channel) }
            }
        } catch {
            context.close(promise: nil)
            return
        }
        if bytes.readableBytes > 0 {
            bytes.discardReadBytes()
            partial = bytes
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        connection.channelInactive(context.channel)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
