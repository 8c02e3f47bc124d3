import GearmanProtocol
import NIOCore
import NIOPosix
import NIOSSL
import NIOTLS

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

extension ServerAddress {
    static let connectTimeout = TimeAmount.seconds(5)

    /// A bootstrap that opens a TCP (and optionally TLS) connection to this server with the keepalive options set,
    /// leaving the Gearman handlers to `initializer`.
    func bootstrap(
        on eventLoop: any EventLoop,
        initializer: @escaping @Sendable (any Channel) -> EventLoopFuture<Void>
    ) throws -> ClientBootstrap {
        let tlsContext = try tls.map { try NIOSSLContext(configuration: $0.configuration()) }
        let host = host
        var bootstrap = ClientBootstrap(group: eventLoop)
            .connectTimeout(Self.connectTimeout)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                guard let tlsContext else { return initializer(channel) }
                return channel.eventLoop.makeCompletedFuture {
                    let serverName = host.first?.isNumber == true || host.contains(":") ? nil : host
                    try channel.pipeline.syncOperations.addHandlers(
                        NIOSSLClientHandler(context: tlsContext, serverHostname: serverName), TLSHandshakeHandler(eventLoop: channel.eventLoop))
                }.flatMap { initializer(channel) }
            }
        if let keepalive {
            bootstrap = bootstrap
                .channelOption(.socketOption(.so_keepalive), value: 1)
                .channelOption(Self.tcpOption(Self.keepIdleOption), value: SocketOptionValue(keepalive.idle.components.seconds))
                .channelOption(Self.tcpOption(TCP_KEEPINTVL), value: SocketOptionValue(keepalive.interval.components.seconds))
                .channelOption(Self.tcpOption(TCP_KEEPCNT), value: SocketOptionValue(keepalive.count))
        }
        return bootstrap
    }

    /// `channel` once it can carry Gearman packets: at once in plain text, after the handshake with TLS.
    /// A failed handshake closes the channel and fails the future.
    func ready(_ channel: any Channel) -> EventLoopFuture<any Channel> {
        guard tls != nil else { return channel.eventLoop.makeSucceededFuture(channel) }
        return channel.pipeline.handler(type: TLSHandshakeHandler.self)
            .flatMap { $0.completed.futureResult }
            .map { channel }
            .flatMapError { error in channel.close().flatMapThrowing { throw error } }
    }

    #if canImport(Darwin)
    private static let keepIdleOption = TCP_KEEPALIVE
    #else
    private static let keepIdleOption = TCP_KEEPIDLE
    #endif

    private static func tcpOption(_ name: Int32) -> ChannelOptions.Types.SocketOption {
        ChannelOptions.Types.SocketOption(level: .tcp, name: NIOBSDSocket.Option(rawValue: name))
    }
}

/// Completes `completed` when the TLS handshake is done, or fails it when the channel errs or closes first.
final class TLSHandshakeHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny

    let completed: EventLoopPromise<Void>

    init(eventLoop: any EventLoop) {
        completed = eventLoop.makePromise()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .handshakeCompleted = event as? TLSUserEvent { completed.succeed() }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        completed.fail(error)
        context.fireErrorCaught(error)
    }

    func channelInactive(context: ChannelHandlerContext) {
        completed.fail(ChannelError.ioOnClosedChannel)
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        completed.fail(ChannelError.ioOnClosedChannel)
    }
}

extension TLSFiles {
    func configuration() throws -> TLSConfiguration {
        var configuration = TLSConfiguration.makeClientConfiguration()
        if let certificate {
            configuration.certificateChain = try NIOSSLCertificate.fromPEMFile(certificate).map { .certificate($0) }
        }
        if let key {
            configuration.privateKey = .privateKey(try NIOSSLPrivateKey(file: key, format: .pem))
        }
        if let ca {
            configuration.trustRoots = .file(ca)
        }
        return configuration
    }
}
