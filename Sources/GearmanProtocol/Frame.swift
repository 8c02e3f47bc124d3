import NIOCore

/// One unit read from a Gearman port: a binary packet, or a line of the text admin protocol.
public enum Frame: Sendable, Hashable {
    case packet(Packet)
    /// An admin command line without its line terminator.
    case adminLine(ByteBuffer)
}
