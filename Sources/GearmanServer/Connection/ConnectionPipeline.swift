import GearmanProtocol
import NIOCore
import NIOSSL

/// Sets up an accepted channel: TLS when the port speaks it, the frame decoder with its deadline, then the
/// ``ConnectionHandler``; or, beyond the connection limit, only a refusal.
struct ConnectionPipeline: Sendable {
    let scheduler: Scheduler
    let configuration: ServerConfiguration
    let tls: NIOSSLContext?
    let limiter: ConnectionLimiter?

    func configure(_ channel: Channel) -> EventLoopFuture<Void> {
        channel.eventLoop.makeCompletedFuture {
            let operations = channel.pipeline.syncOperations
            if let limiter {
                guard limiter.acquire() else {
                    // A TLS peer could not read a plaintext ERROR: it is only closed.
                    if tls == nil { try operations.addHandler(RefusingHandler(limit: limiter.limit)) } else { channel.close(promise: nil) }
                    return
                }
                channel.closeFuture.whenComplete { _ in limiter.release() }
            }
            if let tls {
                try operations.addHandlers(NIOSSLServerHandler(context: tls), HandshakeDeadlineHandler(timeout: configuration.frameTimeout))
            }
            let decoder = FrameDecoder(
                expecting: .request, maximumPacketSize: configuration.maximumPacketSize,
                maximumLineLength: configuration.maximumLineLength
            )
            try operations.addHandlers(
                ByteToMessageHandler(DeadlineFrameDecoder(decoder, timeout: configuration.frameTimeout)),
                ConnectionHandler(scheduler: scheduler)
            )
        }
    }
}
