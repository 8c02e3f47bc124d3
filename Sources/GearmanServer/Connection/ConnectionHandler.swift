import GearmanProtocol
import Logging
import NIOCore
import NIOSSL
import NIOTLS

/// Connects one channel to the scheduler: frames in, protocol errors answered with ERROR and a close.
///
/// Decoding runs on the channel's own event loop; everything else hops to the scheduler's loop, once per read
/// (all frames of a read travel together) rather than once per frame.
final class ConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = Frame

    private let scheduler: Scheduler
    private var connection: ServerConnection?
    /// Frames of the current read, when the channel is not on the scheduler's loop.
    private var inbound: [Frame] = []

    init(scheduler: Scheduler) {
        self.scheduler = scheduler
    }

    func channelActive(context: ChannelHandlerContext) {
        let connection = ServerConnection(channel: context.channel)
        self.connection = connection
        onScheduler { $0.connected(connection) }
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard let connection else { return }
        if scheduler.loop.inEventLoop {
            scheduler.receive(unwrapInboundIn(data), from: connection)
        } else {
            inbound.append(unwrapInboundIn(data))
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        forwardInbound()
        context.fireChannelReadComplete()
    }

    func channelInactive(context: ChannelHandlerContext) {
        forwardInbound()
        if let connection { onScheduler { $0.disconnected(connection) } }
        connection = nil
        context.fireChannelInactive()
    }

    /// A finished TLS handshake names the peer: its certificate subject is known before any packet is read.
    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let connection, case TLSUserEvent.handshakeCompleted = event,
            let certificate = try? context.pipeline.syncOperations.nioSSL_peerCertificate()
        {
            let subject = CertificateSubject.commonName(of: certificate)
            onScheduler { _ in connection.subject = subject }
        }
        context.fireUserInboundEventTriggered(event)
    }

    /// The peer left more than `maximumPendingOutput` bytes of responses unread: cut it off rather than let the
    /// buffer grow without bound.
    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if !context.channel.isWritable {
            scheduler.logger.warning(
                "closing a connection that does not read its responses",
                metadata: ["peer": "\(context.remoteAddress?.description ?? "-")", "limit": "\(scheduler.configuration.maximumPendingOutput)"]
            )
            context.close(promise: nil)
        }
        context.fireChannelWritabilityChanged()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        forwardInbound()
        if let protocolError = error as? ProtocolError, protocolError != .truncated {
            scheduler.logger.warning(
                "closing connection after a protocol error",
                metadata: ["peer": "\(context.remoteAddress?.description ?? "-")", "error": "\(protocolError)"]
            )
            var packet = context.channel.allocator.buffer(capacity: 64)
            packet.writePacket(.response, .error, ByteBuffer(string: protocolError.code), ByteBuffer(string: protocolError.message))
            context.writeAndFlush(wrapOutboundOut(packet)).whenComplete { [channel = context.channel] _ in
                channel.close(promise: nil)
            }
        } else {
            scheduler.logger.debug("connection error", metadata: ["error": "\(error)"])
            context.close(promise: nil)
        }
    }

    /// Hands the frames read so far to the scheduler in one hop.
    private func forwardInbound() {
        guard !inbound.isEmpty, let connection else { return }
        let frames = inbound
        inbound = []
        onScheduler { scheduler in
            for frame in frames { scheduler.receive(frame, from: connection) }
        }
    }

    private func onScheduler(_ body: @escaping @Sendable (Scheduler) -> Void) {
        let scheduler = self.scheduler
        if scheduler.loop.inEventLoop {
            body(scheduler)
        } else {
            scheduler.loop.execute { body(scheduler) }
        }
    }
}

extension ConnectionHandler {
    typealias OutboundOut = ByteBuffer
}
