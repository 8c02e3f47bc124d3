import GearmanProtocol
import NIOCore

/// A packet a ``ServerConnection`` writes: a ``Packet``, or one of the packets sent per job, encoded straight from its
/// parts without the arguments array and argument buffers a `Packet` needs.
protocol OutboundPacket: Sendable {
    /// Appends the packet in wire format.
    func write(to buffer: inout ByteBuffer)
}

extension Packet: OutboundPacket {
    func write(to buffer: inout ByteBuffer) {
        buffer.writePacket(self)
    }
}

/// A worker's packet about one of its jobs: the job's handle, then `data` (WORK_COMPLETE, WORK_DATA, WORK_WARNING,
/// WORK_EXCEPTION).
struct JobPacket: OutboundPacket {
    let type: PacketType
    let handle: ByteBuffer
    let data: ByteBuffer

    func write(to buffer: inout ByteBuffer) {
        buffer.writePacketHeader(.request, type, bodySize: handle.readableBytes + 1 + data.readableBytes)
        buffer.writeImmutableBuffer(handle)
        buffer.writeInteger(UInt8(0))
        buffer.writeImmutableBuffer(data)
    }
}
