/// A violation of the Gearman protocol found while decoding.
///
/// Servers answer it with an `ERROR` packet carrying ``code`` and ``message`` and close the connection.
public struct ProtocolError: Error, Hashable, Sendable, CustomStringConvertible {
    private enum Kind: Hashable, Sendable {
        case invalidMagic(UInt32)
        case unknownPacketType(UInt32)
        case packetTooLarge(size: Int, limit: Int)
        case wrongArgumentCount(PacketType, got: Int)
        case adminLineTooLong(limit: Int)
        case truncated
    }

    private let kind: Kind

    /// The magic is neither `\0REQ` nor `\0RES`, or the wrong one for this side.
    public static func invalidMagic(_ magic: UInt32) -> ProtocolError { .init(kind: .invalidMagic(magic)) }
    /// The packet type is not one the protocol defines.
    public static func unknownPacketType(_ type: UInt32) -> ProtocolError { .init(kind: .unknownPacketType(type)) }
    /// The declared body size exceeds the configured maximum.
    public static func packetTooLarge(size: Int, limit: Int) -> ProtocolError {
        .init(kind: .packetTooLarge(size: size, limit: limit))
    }
    /// The body holds fewer or more NUL-separated arguments than the type takes.
    public static func wrongArgumentCount(_ type: PacketType, got: Int) -> ProtocolError {
        .init(kind: .wrongArgumentCount(type, got: got))
    }
    /// A text admin line exceeded the configured maximum without a newline.
    public static func adminLineTooLong(limit: Int) -> ProtocolError { .init(kind: .adminLineTooLong(limit: limit)) }
    /// The connection closed in the middle of a packet.
    public static let truncated = ProtocolError(kind: .truncated)

    /// The `ERROR` packet code, in gearmand's spelling where gearmand has one.
    public var code: String {
        switch kind {
        case .invalidMagic: "INVALID_MAGIC"
        case .unknownPacketType: "INVALID_COMMAND"
        case .packetTooLarge: "PACKET_TOO_LARGE"
        case .wrongArgumentCount: "INVALID_ARGUMENTS"
        case .adminLineTooLong: "LINE_TOO_LONG"
        case .truncated: "TRUNCATED_PACKET"
        }
    }

    /// A human-readable explanation.
    public var message: String {
        switch kind {
        case .invalidMagic(let magic): "invalid magic 0x\(String(magic, radix: 16))"
        case .unknownPacketType(let type): "unknown packet type \(type)"
        case .packetTooLarge(let size, let limit): "packet body of \(size) bytes exceeds the limit of \(limit) bytes"
        case .wrongArgumentCount(let type, let got): "\(type.name) takes \(type.argumentCount) arguments, got \(got)"
        case .adminLineTooLong(let limit): "admin command line longer than \(limit) bytes"
        case .truncated: "connection closed in the middle of a packet"
        }
    }

    public var description: String { "\(code): \(message)" }
}
