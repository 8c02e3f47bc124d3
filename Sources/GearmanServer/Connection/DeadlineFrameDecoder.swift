import GearmanProtocol
import NIOCore

/// The server's decoder: ``FrameDecoder`` plus a deadline for finishing a frame once its first byte arrived.
///
/// A peer that sends part of a packet and then stalls (a length that lies), or trickles it a byte at a time
/// (slowloris), is cut off when the deadline passes, however steadily the bytes come. A peer idle between
/// frames, such as a sleeping worker, has no deadline.
struct DeadlineFrameDecoder: ByteToMessageDecoder {
    typealias InboundOut = Frame

    /// Fired through the pipeline when a frame was not finished in time.
    struct FrameTimeout: Error, CustomStringConvertible {
        let timeout: TimeAmount
        var description: String { "frame not finished within \(timeout.nanoseconds / 1_000_000) ms" }
    }

    private var frames: FrameDecoder
    private let timeout: TimeAmount
    private var deadline: Scheduled<Void>?

    init(_ frames: FrameDecoder, timeout: TimeAmount) {
        self.frames = frames
        self.timeout = timeout
    }

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let frame = try frames.decode(buffer: &buffer) else {
            if buffer.readableBytes > 0, deadline == nil { armDeadline(context) }
            return .needMoreData
        }
        cancelDeadline()
        context.fireChannelRead(wrapInboundOut(frame))
        return .continue
    }

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        cancelDeadline()  // The peer is gone or the channel is closing: nothing left to wait for.
        guard let frame = try frames.decodeLast(buffer: &buffer, seenEOF: seenEOF) else { return .needMoreData }
        context.fireChannelRead(wrapInboundOut(frame))
        return .continue
    }

    mutating func decoderRemoved(context: ChannelHandlerContext) {
        cancelDeadline()
    }

    private mutating func cancelDeadline() {
        deadline?.cancel()
        deadline = nil
    }

    private mutating func armDeadline(_ context: ChannelHandlerContext) {
        let timeout = self.timeout
        deadline = context.eventLoop.assumeIsolated().scheduleTask(in: timeout) {
            context.fireErrorCaught(FrameTimeout(timeout: timeout))
        }
    }
}
