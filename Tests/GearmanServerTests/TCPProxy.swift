import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// A TCP relay on a loopback port in front of a server. ``cut()`` makes the server look down (every relayed
/// connection is closed, new ones are closed at once) until ``restore()``.
final class TCPProxy: Sendable {
    let port: Int
    private let listener: Channel
    private let state: NIOLockedValueBox<State>

    private struct State {
        var isCut = false
        var channels: [Channel] = []
    }

    init(forwardingTo host: String, port targetPort: Int) async throws {
        let target = try SocketAddress(ipAddress: host, port: targetPort)
        let state = NIOLockedValueBox(State())
        self.state = state
        listener = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelOption(.autoRead, value: false)
            .childChannelInitializer { inbound in
                inbound.pipeline.addHandler(WhenActive { Self.relay(inbound, to: target, state: state) })
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
        port = listener.localAddress!.port!
    }

    /// Connects to the target, then starts reading the inbound side, so no byte arrives before it can be relayed.
    private static func relay(_ inbound: Channel, to target: SocketAddress, state: NIOLockedValueBox<State>) {
        guard !state.withLockedValue(\.isCut) else { return inbound.close(promise: nil) }
        ClientBootstrap(group: inbound.eventLoop)
            .channelInitializer { $0.pipeline.addHandler(Forward(to: inbound)) }
            .connect(to: target)
            .whenComplete { result in
                guard case .success(let outbound) = result else { return inbound.close(promise: nil) }
                let isKept = state.withLockedValue { state in
                    if !state.isCut { state.channels += [inbound, outbound] }
                    return !state.isCut
                }
                guard isKept else {
                    inbound.close(promise: nil)
                    return outbound.close(promise: nil)
                }
                inbound.pipeline.addHandler(Forward(to: outbound)).whenSuccess {
                    inbound.setOption(.autoRead, value: true).whenSuccess { inbound.read() }
                }
            }
    }

    func cut() async {
        let channels = state.withLockedValue { state in
            state.isCut = true
            defer { state.channels = [] }
            return state.channels
        }
        for channel in channels { try? await channel.close() }
    }

    func restore() {
        state.withLockedValue { $0.isCut = false }
    }

    func close() async {
        await cut()
        try? await listener.close()
    }

    /// Runs `body` once the accepted channel is registered and active, when it can take a read request.
    private final class WhenActive: ChannelInboundHandler, RemovableChannelHandler, Sendable {
        typealias InboundIn = ByteBuffer
        let body: @Sendable () -> Void

        init(_ body: @escaping @Sendable () -> Void) { self.body = body }

        func channelActive(context: ChannelHandlerContext) {
            body()
            context.fireChannelActive()
        }
    }

    /// Writes what one side reads to the other, and closes the other when one side closes.
    private final class Forward: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        let peer: Channel

        init(to peer: Channel) { self.peer = peer }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            peer.writeAndFlush(unwrapInboundIn(data), promise: nil)
        }

        func channelInactive(context: ChannelHandlerContext) {
            peer.close(promise: nil)
        }

        func errorCaught(context: ChannelHandlerContext, error: Error) {
            context.close(promise: nil)
        }
    }
}
