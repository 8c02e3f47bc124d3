import Foundation
import GearmanProtocol
import NIOCore
import Testing

@testable import Gearman

struct PayloadAndAddressTests {
    struct Point: Codable, Equatable { var x: Int; var y: Int }

    @Test func payloadConversionsRoundTrip() throws {
        #expect(String(payload: "héllo".payload) == "héllo")
        #expect(Data(payload: Data([0, 1, 2]).payload) == Data([0, 1, 2]))
        #expect([UInt8](payload: [9, 0].payload) == [9, 0])
        let coder = JSONPayloadCoder()
        #expect(try coder.decode(Point.self, from: coder.encode(Point(x: 1, y: 2))) == Point(x: 1, y: 2))
    }

    @Test func parsesAddresses() {
        #expect(ServerAddress(parsing: "host") == ServerAddress(host: "host"))
        #expect(ServerAddress(parsing: "host:99") == ServerAddress(host: "host", port: 99))
        #expect(ServerAddress(parsing: "[::1]:99") == ServerAddress(host: "::1", port: 99))
        #expect(ServerAddress(parsing: "host:x") == nil)
    }

    @Test func requestsWriteTheirSubmitPacket() {
        #expect(wire(JobRequest("ƒ", payload: "x", priority: .high, unique: "ü")) == wire(Packet(.request, .submitJobHigh, ["ƒ", "ü", "x"])))
        #expect(wire(JobRequest("f", priority: .low, background: true)) == wire(Packet(.request, .submitJobLowBackground, ["f", "", ""])))
        let scheduled = JobRequest("f", payload: "x", scheduledAt: Date(timeIntervalSince1970: 2000))
        #expect(scheduled.background)
        #expect(wire(scheduled) == wire(Packet(.request, .submitJobEpoch, ["f", "", "2000", "x"])))
    }

    @Test func jobPacketsWriteHandleThenData() {
        let packet = JobPacket(type: .workComplete, handle: ByteBuffer(string: "H:1"), data: ByteBuffer(string: "done"))
        #expect(wire(packet) == wire(Packet(.request, .workComplete, ["H:1", "done"])))
    }

    private func wire(_ packet: some OutboundPacket) -> ByteBuffer {
        var buffer = ByteBuffer()
        packet.write(to: &buffer)
        return buffer
    }

    @Test func canDoTimeoutRoundsUpInTheServersUnit() {
        #expect(FunctionRegistration("f").canDoPacket(timeoutUnit: .seconds) == Packet(.request, .canDo, ["f"]))
        let slow = FunctionRegistration("f", timeout: .milliseconds(1500))
        #expect(slow.canDoPacket(timeoutUnit: .seconds) == Packet(.request, .canDoTimeout, ["f", "2"]))
        #expect(slow.canDoPacket(timeoutUnit: .milliseconds) == Packet(.request, .canDoTimeout, ["f", "1500"]))
        #expect(FunctionRegistration("f", timeout: .microseconds(1)).canDoPacket(timeoutUnit: .milliseconds) == Packet(.request, .canDoTimeout, ["f", "1"]))
    }

    @Test func parsesAdminLines() {
        #expect(FunctionStatus(line: "foo\t3\t1\t2") == FunctionStatus(function: "foo", total: 3, running: 1, workers: 2))
        #expect(WorkerStatus(line: "37 127.0.0.1 w1 : b a") == WorkerStatus(fileDescriptor: 37, address: "127.0.0.1", clientID: "w1", functions: ["b", "a"]))
        #expect(QueuedJob(line: "H:vm:1\t0\t0\t1") == QueuedJob(handle: "H:vm:1", retries: 0, ignored: false, queued: true))
    }
}
