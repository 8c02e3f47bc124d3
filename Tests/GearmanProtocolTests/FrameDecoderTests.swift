import GearmanProtocol
import NIOCore
import NIOTestUtils
import Testing

@Suite struct FrameDecoderTests {
    private func encode(_ packet: Packet) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.writePacket(packet)
        return buffer
    }

    private func decodeAll(_ bytes: ByteBuffer, magic: PacketMagic = .request, limit: Int = FrameDecoder.defaultMaximumPacketSize) throws -> [Frame] {
        var decoder = FrameDecoder(expecting: magic, maximumPacketSize: limit)
        var buffer = bytes
        var frames: [Frame] = []
        while let frame = try decoder.decode(buffer: &buffer) { frames.append(frame) }
        return frames
    }

    @Test func everyPacketTypeRoundTrips() throws {
        for type in PacketType.allCases {
            let arguments = (0..<type.argumentCount).map { index in
                index == type.argumentCount - 1 && type.lastArgumentIsData ? ByteBuffer(bytes: [1, 0, 2, 0]) : ByteBuffer(string: "arg\(index)")
            }
            for magic in [PacketMagic.request, .response] {
                let packet = Packet(magic, type, arguments)
                #expect(try decodeAll(encode(packet), magic: magic) == [.packet(packet)], "\(type)")
            }
        }
    }

    @Test func decodesByteByByteAndInBatches() throws {
        let frames: [(ByteBuffer, [Frame])] = [
            (encode(Packet(.request, .submitJob, ["reverse", "u1", "hello"])), [.packet(Packet(.request, .submitJob, ["reverse", "u1", "hello"]))]),
            (ByteBuffer(string: "status\r\n"), [.adminLine(ByteBuffer(string: "status"))]),
            (encode(Packet(.request, .grabJob)), [.packet(Packet(.request, .grabJob))]),
            (ByteBuffer(string: "show jobs\n"), [.adminLine(ByteBuffer(string: "show jobs"))]),
        ]
        try ByteToMessageDecoderVerifier.verifyDecoder(
            inputOutputPairs: frames,
            decoderFactory: { FrameDecoder(expecting: .request) }
        )
    }

    @Test func emptyArgumentsAndDataWithNULs() throws {
        var body = ByteBuffer()
        body.writePacketHeader(.request, .submitJobBackground, bodySize: 5)
        body.writeBytes([UInt8(ascii: "f"), 0, 0, 0, 7])
        let frames = try decodeAll(body)
        #expect(frames == [.packet(Packet(.request, .submitJobBackground, [ByteBuffer(string: "f"), ByteBuffer(), ByteBuffer(bytes: [0, 7])]))])
    }

    @Test func rejectsBadMagic() {
        var bytes = ByteBuffer()
        bytes.writeMultipleIntegers(UInt32(0x0052_4553), UInt32(16), UInt32(0))
        #expect(throws: ProtocolError.invalidMagic(0x0052_4553)) { try decodeAll(bytes) }
        var garbage = ByteBuffer(bytes: [0, 0x41, 0x42, 0x43, 0, 0, 0, 1, 0, 0, 0, 0])
        #expect(throws: ProtocolError.self) { try decodeAll(garbage) }
        garbage.clear()
    }

    @Test func rejectsUnknownTypes() {
        for type: UInt32 in [0, 5, 43, 0xFFFF_FFFF] {
            var bytes = ByteBuffer()
            bytes.writeMultipleIntegers(PacketMagic.request.rawValue, type, UInt32(0))
            #expect(throws: ProtocolError.unknownPacketType(type)) { try decodeAll(bytes) }
        }
    }

    @Test func refusesOversizeLengthFromTheHeaderAlone() {
        var bytes = ByteBuffer()
        bytes.writeMultipleIntegers(PacketMagic.request.rawValue, PacketType.submitJob.rawValue, UInt32.max)
        #expect(throws: ProtocolError.packetTooLarge(size: Int(UInt32.max), limit: 1024)) { try decodeAll(bytes, limit: 1024) }
    }

    @Test func rejectsWrongArgumentCounts() {
        var tooFew = ByteBuffer()
        tooFew.writePacketHeader(.request, .submitJob, bodySize: 3)
        tooFew.writeString("abc")
        #expect(throws: ProtocolError.wrongArgumentCount(.submitJob, got: 1)) { try decodeAll(tooFew) }

        var tooMany = ByteBuffer()
        tooMany.writePacketHeader(.request, .canDo, bodySize: 3)
        tooMany.writeBytes([UInt8(ascii: "a"), 0, UInt8(ascii: "b")])
        #expect(throws: ProtocolError.wrongArgumentCount(.canDo, got: 2)) { try decodeAll(tooMany) }

        var bodyOnEmptyType = ByteBuffer()
        bodyOnEmptyType.writePacketHeader(.request, .grabJob, bodySize: 1)
        bodyOnEmptyType.writeString("x")
        #expect(throws: ProtocolError.wrongArgumentCount(.grabJob, got: 1)) { try decodeAll(bodyOnEmptyType) }
    }

    @Test func waitsForAPartialPacketAndReportsTruncationAtEOF() throws {
        var decoder = FrameDecoder(expecting: .request)
        var bytes = encode(Packet(.request, .echoReq, ["hello"]))
        bytes.moveWriterIndex(to: bytes.writerIndex - 2)
        #expect(try decoder.decode(buffer: &bytes) == nil)
        #expect(throws: ProtocolError.truncated) { try decoder.decodeLast(buffer: &bytes, seenEOF: true) }
    }

    @Test func refusesOverlongAdminLinesEvenWhenSentSlowly() throws {
        var decoder = FrameDecoder(expecting: .request, maximumLineLength: 16)
        var buffer = ByteBuffer()
        var thrown: Error?
        for _ in 0..<40 {
            buffer.writeString("x")
            do { _ = try decoder.decode(buffer: &buffer) } catch { thrown = error; break }
        }
        #expect(thrown as? ProtocolError == .adminLineTooLong(limit: 16))
    }

    @Test func clientsRejectAdminText() {
        #expect(throws: ProtocolError.self) { try decodeAll(ByteBuffer(string: "OK\n"), magic: .response) }
    }
}
