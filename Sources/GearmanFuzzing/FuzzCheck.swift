import GearmanProtocol
import NIOCore

/// What the fuzzer checks for each input, and what the regression tests replay: decoding arbitrary bytes as a
/// server and as a client never crashes, decodes the same frames whether the bytes come at once or in pieces,
/// re-encodes every packet to exactly the bytes it came from, and parses every admin line to a command whose
/// ``AdminCommand/line`` parses back to the same command (for every command but the diagnoses `.invalidArguments` and `.acl(.unknownVerb)`).
public enum FuzzCheck {
    /// A property the decoder or parser broke, with what it saw.
    public struct Violation: Error, CustomStringConvertible {
        public let description: String
    }

    /// Small limits so inputs of a few hundred bytes reach every limit check.
    static let maximumPacketSize = 1024
    static let maximumLineLength = 256

    public static func run(_ input: [UInt8]) throws(Violation) {
        for magic in [PacketMagic.request, .response] {
            let whole = try decode(input, expecting: magic, chunkSize: input.count)
            // The first byte picks how finely the same bytes are split.
            let chunkSize = Int(input.first ?? 0) % 7 + 1
            let pieces = try decode(input, expecting: magic, chunkSize: chunkSize)
            guard whole == pieces else {
                throw Violation(description: "\(magic): whole input gave \(whole), chunks of \(chunkSize) gave \(pieces)")
            }
        }
        try checkAdminLine(ByteBuffer(bytes: input))
    }

    private struct Decoded: Equatable, CustomStringConvertible {
        /// The bytes each frame was decoded from, copied: frames kept alive would pin the decode buffer and make
        /// every appended chunk copy it.
        var consumed: [[UInt8]] = []
        var error: ProtocolError?
        var description: String { "\(consumed.count) frames, error \(error.map(String.init(describing:)) ?? "none")" }
    }

    /// Decodes `input` fed in chunks of `chunkSize`, checking each frame against the bytes it came from.
    private static func decode(_ input: [UInt8], expecting magic: PacketMagic, chunkSize: Int) throws(Violation) -> Decoded {
        var decoder = FrameDecoder(
            expecting: magic, maximumPacketSize: maximumPacketSize, maximumLineLength: maximumLineLength, acceptsAdminLines: true
        )
        var buffer = ByteBuffer()
        var result = Decoded()
        do {
            var offset = 0
            repeat {
                let end = min(offset + max(chunkSize, 1), input.count)
                buffer.writeBytes(input[offset..<end])
                offset = end
                let isLast = offset == input.count
                while true {
                    let before = buffer
                    let frame = isLast ? try decoder.decodeLast(buffer: &buffer, seenEOF: true) : try decoder.decode(buffer: &buffer)
                    guard let frame else { break }
                    let bytes = before.getSlice(at: before.readerIndex, length: buffer.readerIndex - before.readerIndex)!
                    try check(frame, cameFrom: bytes)
                    result.consumed.append(Array(bytes.readableBytesView))
                }
            } while offset < input.count
        } catch let error as ProtocolError {
            result.error = error
        } catch let violation as Violation {
            throw violation
        } catch {
            throw Violation(description: "FrameDecoder threw \(error), which is not a ProtocolError")
        }
        return result
    }

    private static func check(_ frame: Frame, cameFrom bytes: ByteBuffer) throws(Violation) {
        switch frame {
        case .packet(let packet):
            var encoded = ByteBuffer()
            encoded.writePacket(packet)
            // The one forgiven difference: gearmand's stray NUL after the last argument of a response.
            var forgiven = bytes
            if packet.magic == .response, forgiven.readableBytes > encoded.readableBytes {
                forgiven.moveWriterIndex(to: forgiven.writerIndex - 1)
                forgiven.setInteger(UInt32(forgiven.readableBytes - 12), at: forgiven.readerIndex + 8)
            }
            guard encoded == bytes || encoded == forgiven else {
                throw Violation(description: "\(packet) re-encodes to \(encoded), came from \(bytes)")
            }
        case .adminLine(let line):
            try checkAdminLine(line)
        }
    }

    private static func checkAdminLine(_ line: ByteBuffer) throws(Violation) {
        let command = AdminCommand(parsing: line)
        // Diagnoses, not requests: their lines only name what was wrong (found by fuzzing `shutdown x` and
        // `acl grant all x y`).
        switch command {
        case .invalidArguments, .acl(.unknownVerb): return
        default: break
        }
        let again = AdminCommand(parsing: ByteBuffer(string: command.line))
        guard again == command else { throw Violation(description: "\(command) prints as '\(command.line)', which parses as \(again)") }
    }
}
