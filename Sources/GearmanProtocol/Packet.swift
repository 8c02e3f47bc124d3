import NIOCore

/// Which side sent a binary packet: `\0REQ` or `\0RES`.
public enum PacketMagic: UInt32, Sendable {
    /// `\0REQ`, sent by clients and workers.
    case request = 0x0052_4551
    /// `\0RES`, sent by the server.
    case response = 0x0052_4553
}

/// A binary Gearman packet: magic, type and its NUL-separated arguments.
///
/// Arguments are `ByteBuffer`s; when decoded they are slices of the read buffer, so no bytes are copied.
///
/// ```swift
/// let packet = Packet(.request, .submitJob, ["reverse", "", "hello"])
/// ```
public struct Packet: Sendable, Hashable, CustomStringConvertible {
    public var magic: PacketMagic
    public var type: PacketType
    public var arguments: [ByteBuffer]

    /// Creates a packet. The argument count must match `type.argumentCount`.
    public init(_ magic: PacketMagic, _ type: PacketType, _ arguments: [ByteBuffer] = []) {
        precondition(arguments.count == type.argumentCount, "\(type) takes \(type.argumentCount) arguments")
        self.magic = magic
        self.type = type
        self.arguments = arguments
    }

    /// Creates a packet from string arguments.
    public init(_ magic: PacketMagic, _ type: PacketType, _ arguments: [String]) {
        self.init(magic, type, arguments.map { ByteBuffer(string: $0) })
    }

    /// The argument at `index` decoded as UTF-8 (invalid bytes replaced).
    public func string(_ index: Int) -> String {
        String(decoding: arguments[index].readableBytesView, as: UTF8.self)
    }

    /// The size of the packet's body on the wire.
    public var bodySize: Int {
        arguments.reduce(max(arguments.count - 1, 0)) { $0 + $1.readableBytes }
    }

    public var description: String {
        let args = arguments.map { arg in
            arg.readableBytes > 64 ? "<\(arg.readableBytes) bytes>" : String(decoding: arg.readableBytesView, as: UTF8.self).debugDescription
        }
        return "\(magic == .request ? "REQ" : "RES") \(type.name)(\(args.joined(separator: ", ")))"
    }
}

extension ByteBuffer {
    /// Appends `packet` in wire format.
    @inlinable
    public mutating func writePacket(_ packet: Packet) {
        writePacketHeader(packet.magic, packet.type, bodySize: packet.bodySize)
        for index in packet.arguments.indices {
            if index > 0 { writeInteger(UInt8(0)) }
            writeImmutableBuffer(packet.arguments[index])
        }
    }

    /// Appends a packet built from its parts, without creating a ``Packet``.
    @inlinable
    public mutating func writePacket(_ magic: PacketMagic, _ type: PacketType, _ arguments: ByteBuffer...) {
        writePacket(magic, type, arguments: arguments)
    }

    /// Appends a packet built from its parts, without creating a ``Packet``.
    @inlinable
    public mutating func writePacket(_ magic: PacketMagic, _ type: PacketType, arguments: [ByteBuffer]) {
        assert(arguments.count == type.argumentCount, "\(type) takes \(type.argumentCount) arguments")
        let bodySize = arguments.reduce(max(arguments.count - 1, 0)) { $0 + $1.readableBytes }
        writePacketHeader(magic, type, bodySize: bodySize)
        for index in arguments.indices {
            if index > 0 { writeInteger(UInt8(0)) }
            writeImmutableBuffer(arguments[index])
        }
    }

    /// Appends the 12-byte header of a packet whose body of `bodySize` bytes the caller writes next.
    @inlinable
    public mutating func writePacketHeader(_ magic: PacketMagic, _ type: PacketType, bodySize: Int) {
        writeMultipleIntegers(magic.rawValue, type.rawValue, UInt32(truncatingIfNeeded: bodySize))
    }
}
