import NIOConcurrencyHelpers
import NIOCore

/// The connections a listener accepted onto other event loops than the scheduler's (TLS ones) and that are still
/// open, so that a stop can close them while the scheduler runs. Left to the event-loop group's shutdown, such a
/// connection would report its end to a scheduler loop that may already have stopped. Plain connections share the
/// scheduler's loop and need no tracking.
final class AcceptedConnections: Sendable {
    private let open = NIOLockedValueBox<[ObjectIdentifier: any Channel]>([:])

    /// A handler for a listening channel's pipeline. It sees each accepted channel before the channel is set up,
    /// so none escapes a stop that begins once the listeners are closed.
    func makeListenerHandler() -> some ChannelInboundHandler { Collector(connections: self) }

    /// Closes every open connection; returns once all are closed, their ends passed on to the scheduler's loop.
    func closeAll() async {
        let channels = open.withLockedValue { Array($0.values) }
        for channel in channels { channel.close(promise: nil) }
        for channel in channels { try? await channel.closeFuture.get() }
    }

    private func accepted(_ channel: any Channel) {
        let id = ObjectIdentifier(channel)
        open.withLockedValue { $0[id] = channel }
        channel.closeFuture.whenComplete { _ in self.open.withLockedValue { $0[id] = nil } }
    }

    private final class Collector: ChannelInboundHandler {
        typealias InboundIn = any Channel
        let connections: AcceptedConnections

        init(connections: AcceptedConnections) {
            self.connections = connections
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            connections.accepted(unwrapInboundIn(data))
            context.fireChannelRead(data)
        }
    }
}
