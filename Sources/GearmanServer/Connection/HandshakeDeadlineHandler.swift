import NIOCore
import NIOTLS

/// Closes a TLS connection whose handshake is not done within the timeout, so a peer that connects and
/// stalls (or trickles its ClientHello) cannot hold a connection below the frame decoder's reach.
final class HandshakeDeadlineHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny

    private let timeout: TimeAmount
    private var deadline: Scheduled<Void>?

    init(timeout: TimeAmount) {
        self.timeout = timeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        deadline = context.eventLoop.assumeIsolated().scheduleTask(in: timeout) {
            context.close(promise: nil)
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        deadline?.cancel()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        context.fireUserInboundEventTriggered(event)
        if case TLSUserEvent.handshakeCompleted = event {
            // After passing the event on: a removed handler's context no longer forwards anything.
            context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
        }
    }
}
