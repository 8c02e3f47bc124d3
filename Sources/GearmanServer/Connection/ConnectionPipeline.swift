import GearmanProtocol
import NIOCore
import NIOSSL

/// Sets up an accepted channel: TLS when the port speaks it, the frame decoder, then the ``ConnectionHandler``.
struct ConnectionPipeline: Sendable {
    let scheduler: Scheduler
    let configuration: ServerConfiguration
    let tls: NIOSSLContext?

    func configure(_ channel: Channel) -> EventLoopFuture<Void> {
        channel.eventLoop.makeCompletedFuture {
            let operations = channel.pipeline.syncOperations
            if let tls {
                try operations.addHandler(NIOSSLServerHandler(context: tls))
            }
            let decoder = FrameDecoder(
                expecting: .request, maximumPacketSize: configuration.maximumPacketSize,
                maximumLineLength: configuration.maximumLineLength
            )
            try operations.addHandlers(ByteToMessageHandler(decoder), ConnectionHandler(scheduler: scheduler))
        }
    }
}
