import Gearman
import GearmanProtocol
import NIOCore
import NIOPosix

/// The floor under gear-bench's one-request loads (`--bare-nio`): the same packets sent by a minimal client and worker on
/// SwiftNIO alone, without this package's library. The client is a task on its event loop that writes a submit and
/// awaits its reply through a continuation; the worker answers on its event loop as packets arrive, as gearbench's C
/// worker does. The gap between this and gearbench is what SwiftNIO and Swift concurrency cost on the machine; the gap
/// between this and GearmanClient and GearmanWorker is what the library costs.
enum BareNIO {
    /// Connects to `server` with `handler` as the whole pipeline.
    static func connect(to server: ServerAddress, on loop: any EventLoop, handler: @escaping @Sendable () -> any ChannelHandler) async throws -> any Channel {
        try await ClientBootstrap(group: loop)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(handler()) }
            }
            .connect(host: server.host, port: server.port)
            .get()
    }

    static func packet(_ type: PacketType, _ arguments: ByteBuffer...) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.writePacket(.request, type, arguments: arguments)
        return buffer
    }
}

/// Cuts the server's packets out of the bytes read: header and length only, without the checks and argument splitting
/// of GearmanProtocol's `FrameDecoder`, which the floor leaves out with the rest of the library.
struct PacketFramer {
    private var pending = ByteBuffer()

    mutating func append(_ bytes: inout ByteBuffer) {
        pending.writeBuffer(&bytes)
    }

    /// The next complete packet's type and body, if one is there.
    mutating func next() -> (type: UInt32, body: ByteBuffer)? {
        guard let (type, length) = pending.getMultipleIntegers(at: pending.readerIndex + 4, as: (UInt32, UInt32).self),
            pending.readableBytes >= 12 + Int(length)
        else {
            pending.discardReadBytes()
            return nil
        }
        pending.moveReaderIndex(forwardBy: 12)
        return (type, pending.readSlice(length: Int(length))!)
    }
}

/// Submits one job at a time and resumes its task when the awaited reply arrives: JOB_CREATED for a background submit,
/// WORK_COMPLETE for a foreground one.
final class BareClient: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private var framer = PacketFramer()
    private var waiter: UnsafeContinuation<Void, Never>?
    private let awaited: PacketType

    init(awaiting awaited: PacketType) {
        self.awaited = awaited
    }

    /// Writes `packet` and returns once its reply arrived. Call on the channel's event loop.
    func submit(_ packet: ByteBuffer, on channel: any Channel) async {
        await withUnsafeContinuation { continuation in
            waiter = continuation
            channel.writeAndFlush(packet, promise: nil)
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        framer.append(&bytes)
        while let (type, _) = framer.next() {
            if type == awaited.rawValue { waiter.take()?.resume() }
        }
    }
}

/// Runs jobs on its event loop as they arrive, echoing the payload: NOOP → GRAB_JOB_UNIQ, JOB_ASSIGN_UNIQ →
/// WORK_COMPLETE and GRAB_JOB_UNIQ in one write, NO_JOB → PRE_SLEEP. Succeeds `done` after `jobs` jobs.
final class BareWorker: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private var framer = PacketFramer()
    private var remaining: Int
    private let done: EventLoopPromise<Void>
    private let grab = BareNIO.packet(.grabJobUniq)
    private let preSleep = BareNIO.packet(.preSleep)

    init(jobs: Int, done: EventLoopPromise<Void>) {
        self.remaining = jobs
        self.done = done
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        framer.append(&bytes)
        while let (type, body) = framer.next() {
            switch PacketType(rawValue: type) {
            case .noop:
                context.writeAndFlush(wrapOutboundOut(grab), promise: nil)
            case .noJob:
                context.writeAndFlush(wrapOutboundOut(preSleep), promise: nil)
            case .jobAssignUniq:
                complete(body, context: context)
            default:
                break
            }
        }
    }

    /// Answers JOB_ASSIGN_UNIQ (handle, function, unique, payload).
    private func complete(_ assignment: ByteBuffer, context: ChannelHandlerContext) {
        var fields = assignment
        let handleLength = fields.readableBytesView.firstIndex(of: 0)! - fields.readerIndex
        let handle = fields.readSlice(length: handleLength)!
        for _ in 0..<3 { fields.moveReaderIndex(to: fields.readableBytesView.firstIndex(of: 0)! + 1) }
        var answer = BareNIO.packet(.workComplete, handle, fields)
        remaining -= 1
        if remaining > 0 { answer.writeImmutableBuffer(grab) }
        context.writeAndFlush(wrapOutboundOut(answer), promise: nil)
        if remaining == 0 { done.succeed() }
    }
}
