import NIOCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Decodes binary packets and text admin lines from one byte stream.
///
/// A frame starting with a NUL byte is a binary packet; anything else is an admin line ending in `\n`.
/// Oversize packets are refused from their header, before any body is buffered.
public struct FrameDecoder: NIOSingleStepByteToMessageDecoder, Sendable {
    public typealias InboundOut = Frame

    /// The default largest accepted packet body: 64 MiB.
    public static let defaultMaximumPacketSize = 64 << 20
    /// The default longest accepted admin line: 64 KiB.
    public static let defaultMaximumLineLength = 64 << 10

    /// The magic this side accepts (`.request` on a server, `.response` on a client).
    public let expectedMagic: PacketMagic
    public let maximumPacketSize: Int
    public let maximumLineLength: Int
    /// Whether lines that do not start with NUL are decoded as admin lines (servers) or rejected (clients).
    public let acceptsAdminLines: Bool
    /// Bytes of a partial admin line already searched for its newline, so slow senders cost linear time.
    private var scannedLineBytes = 0

    public init(
        expecting magic: PacketMagic,
        maximumPacketSize: Int = FrameDecoder.defaultMaximumPacketSize,
        maximumLineLength: Int = FrameDecoder.defaultMaximumLineLength,
        acceptsAdminLines: Bool? = nil
    ) {
        self.expectedMagic = magic
        self.maximumPacketSize = maximumPacketSize
        self.maximumLineLength = maximumLineLength
        self.acceptsAdminLines = acceptsAdminLines ?? (magic == .request)
    }

    public mutating func decode(buffer: inout ByteBuffer) throws -> Frame? {
        guard let first = buffer.getInteger(at: buffer.readerIndex, as: UInt8.self) else { return nil }
        if first == 0 {
            return try decodePacket(&buffer).map(Frame.packet)
        }
        guard acceptsAdminLines else {
            throw ProtocolError.invalidMagic(buffer.getInteger(at: buffer.readerIndex, as: UInt32.self) ?? UInt32(first) << 24)
        }
        return try decodeLine(&buffer).map(Frame.adminLine)
    }

    public mutating func decodeLast(buffer: inout ByteBuffer, seenEOF: Bool) throws -> Frame? {
        if let frame = try decode(buffer: &buffer) { return frame }
        if seenEOF, buffer.readableBytes > 0 {
            buffer.moveReaderIndex(to: buffer.writerIndex)
            throw ProtocolError.truncated
        }
        return nil
    }

    private func decodePacket(_ buffer: inout ByteBuffer) throws -> Packet? {
        guard let (magicValue, typeValue, size) = buffer.getMultipleIntegers(at: buffer.readerIndex, as: (UInt32, UInt32, UInt32).self)
        else { return nil }
        guard let magic = PacketMagic(rawValue: magicValue), magic == expectedMagic else {
            throw ProtocolError.invalidMagic(magicValue)
        }
        guard let type = PacketType(rawValue: typeValue) else {
            throw ProtocolError.unknownPacketType(typeValue)
        }
        let bodySize = Int(size)
        guard bodySize <= maximumPacketSize else {
            throw ProtocolError.packetTooLarge(size: bodySize, limit: maximumPacketSize)
        }
        guard buffer.readableBytes >= 12 + bodySize else { return nil }
        buffer.moveReaderIndex(forwardBy: 12)
        var body = buffer.readSlice(length: bodySize)!
        if magic == .response, !type.lastArgumentIsData, Self.hasStraySeparator(body, for: type) {
            // gearmand 1.1.20 appends a stray NUL to the handle of a WORK_FAIL that replaces a WORK_EXCEPTION.
            body.moveWriterIndex(to: body.writerIndex - 1)
        }
        return Packet(magic, type, try Self.splitArguments(&body, for: type))
    }

    /// Whether the body ends in one NUL more than its arguments need; only that one is forgiven, so an empty
    /// last argument stays and a run of NULs is still an error.
    static func hasStraySeparator(_ body: ByteBuffer, for type: PacketType) -> Bool {
        body.readableBytesView.last == 0 && body.readableBytesView.count(where: { $0 == 0 }) == type.argumentCount
    }

    /// Splits a body into exactly `type.argumentCount` arguments, without copying.
    static func splitArguments(_ body: inout ByteBuffer, for type: PacketType) throws -> [ByteBuffer] {
        let count = type.argumentCount
        if count == 0 {
            guard body.readableBytes == 0 else { throw ProtocolError.wrongArgumentCount(type, got: 1) }
            return []
        }
        var arguments: [ByteBuffer] = []
        arguments.reserveCapacity(count)
        for found in 1..<count {
            guard let length = body.readableBytesBeforeNUL() else { throw ProtocolError.wrongArgumentCount(type, got: found) }
            arguments.append(body.readSlice(length: length)!)
            body.moveReaderIndex(forwardBy: 1)
        }
        if !type.lastArgumentIsData, body.readableBytesBeforeNUL() != nil {
            throw ProtocolError.wrongArgumentCount(type, got: count + 1)
        }
        arguments.append(body)
        return arguments
    }

    private mutating func decodeLine(_ buffer: inout ByteBuffer) throws -> ByteBuffer? {
        let view = buffer.readableBytesView
        let unscanned = view.dropFirst(scannedLineBytes).prefix(maximumLineLength + 1 - scannedLineBytes)
        guard let newline = unscanned.firstIndex(of: UInt8(ascii: "\n")) else {
            scannedLineBytes = min(view.count, maximumLineLength + 1)
            if view.count > maximumLineLength { throw ProtocolError.adminLineTooLong(limit: maximumLineLength) }
            return nil
        }
        scannedLineBytes = 0
        var line = buffer.readSlice(length: newline - buffer.readerIndex)!
        buffer.moveReaderIndex(forwardBy: 1)
        if line.readableBytesView.last == UInt8(ascii: "\r") { line.moveWriterIndex(to: line.writerIndex - 1) }
        return line
    }
}

extension ByteBuffer {
    /// The readable bytes before the first NUL, or `nil` without one. With `memchr`: a search through
    /// `readableBytesView` costs about 10 instructions per byte, on every packet's handle, function and unique.
    fileprivate func readableBytesBeforeNUL() -> Int? {
        withUnsafeReadableBytes { bytes in
            guard let start = bytes.baseAddress, let nul = memchr(start, 0, bytes.count) else { return nil }
            return start.distance(to: UnsafeRawPointer(nul))
        }
    }
}
