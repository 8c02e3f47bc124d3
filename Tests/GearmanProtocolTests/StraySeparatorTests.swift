import GearmanProtocol
import NIOCore
import Testing

/// Clients forgive gearmand's one stray NUL after a response's last argument, and nothing more (found by fuzzing:
/// forgiving every trailing NUL accepted a NOOP with a body of NULs and lost empty last arguments).
@Suite struct StraySeparatorTests {
    private func decode(_ type: PacketType, body: [UInt8]) throws -> Packet? {
        var bytes = ByteBuffer()
        bytes.writePacketHeader(.response, type, bodySize: body.count)
        bytes.writeBytes(body)
        var decoder = FrameDecoder(expecting: .response)
        guard case .packet(let packet)? = try decoder.decode(buffer: &bytes) else { return nil }
        return packet
    }

    @Test func oneStrayNULAfterTheLastArgumentIsForgiven() throws {
        #expect(try decode(.workFail, body: Array("H:host:1\0".utf8)) == Packet(.response, .workFail, ["H:host:1"]))
    }

    @Test func emptyLastArgumentsSurvive() throws {
        #expect(try decode(.error, body: Array("CODE\0".utf8)) == Packet(.response, .error, ["CODE", ""]))
        #expect(
            try decode(.statusRes, body: Array("H:1\u{0}1\u{0}1\u{0}3\u{0}".utf8)) == Packet(.response, .statusRes, ["H:1", "1", "1", "3", ""])
        )
    }

    @Test func aRunOfNULsIsStillAnError() {
        #expect(throws: ProtocolError.wrongArgumentCount(.noop, got: 1)) { try decode(.noop, body: [UInt8](repeating: 0, count: 13)) }
        #expect(throws: ProtocolError.self) { try decode(.workFail, body: Array("H:1\0\0".utf8)) }
    }
}
