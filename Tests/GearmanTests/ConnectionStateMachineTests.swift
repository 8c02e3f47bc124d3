import GearmanProtocol
import Testing

@testable import Gearman

extension ConnectionStateMachine.Action: Equatable where Request: Equatable {
    public static func == (lhs: Self, rhs: Self) -> Bool { "\(lhs)" == "\(rhs)" }
}

struct ConnectionStateMachineTests {
    private let backoff = Backoff(initial: .milliseconds(100), maximum: .seconds(1))
    private let created = Packet(.response, .jobCreated, ["H:1"])
    private let status = Packet(.response, .statusRes, ["", "0", "0", "0", "0"])

    private func active() -> ConnectionStateMachine<Int> {
        var machine = ConnectionStateMachine<Int>(backoff: backoff)
        _ = machine.start()
        _ = machine.connected()
        return machine
    }

    @Test func startsByConnectingOnce() {
        var machine = ConnectionStateMachine<Int>(backoff: backoff)
        #expect(machine.start() == .connect)
        #expect(machine.start() == .none)
        #expect(machine.connected() == .announceConnected)
        #expect(machine.isActive)
    }

    @Test func failedConnectsBackOffExponentiallyUpToTheCap() {
        var machine = ConnectionStateMachine<Int>(backoff: backoff)
        _ = machine.start()
        #expect(machine.connectFailed() == .scheduleReconnect(after: .milliseconds(100)))
        #expect(machine.reconnectTimerFired() == .connect)
        #expect(machine.connectFailed() == .scheduleReconnect(after: .milliseconds(200)))
        for _ in 0..<10 {
            _ = machine.reconnectTimerFired()
            _ = machine.connectFailed()
        }
        #expect(machine.reconnectTimerFired() == .connect)
        #expect(machine.connectFailed() == .scheduleReconnect(after: .seconds(1)))
    }

    @Test func repliesGoToRequestsInOrder() {
        var machine = active()
        #expect(machine.send(expecting: 1) == .write)
        #expect(machine.send(expecting: nil) == .write)
        #expect(machine.send(expecting: 2) == .write)
        #expect(machine.received(created) == .reply(1))
        #expect(machine.received(Packet(.response, .workComplete, ["H:1", "x"])) == .unsolicited)
        #expect(machine.received(Packet(.response, .error, ["QUEUE_ERROR", "full"])) == .reply(2))
        #expect(machine.received(created) == .closeUnexpectedReply)
    }

    @Test func jobNotFoundErrorsAnswerNoRequest() {
        var machine = active()
        _ = machine.send(expecting: 1)
        #expect(machine.received(Packet(.response, .error, ["JOB_NOT_FOUND", "gone"])) == .unsolicited)
        #expect(machine.received(Packet(.response, .noJob)) == .reply(1))
    }

    @Test func aRefusalAnswersItsCheckedPacketNotTheNextRequest() {
        var machine = active()
        #expect(machine.sendChecked(1) == .writeChecked)  // CAN_DO the ACL refuses, then its GET_STATUS
        #expect(machine.sendChecked(2) == .writeChecked)  // CAN_DO that is accepted
        #expect(machine.send(expecting: 3) == .write)  // GRAB_JOB
        #expect(machine.received(Packet(.response, .error, ["PERMISSION_DENIED", "register"])) == .reply(1))
        #expect(machine.received(status) == .none)
        #expect(machine.received(status) == .reply(2))
        #expect(machine.received(Packet(.response, .noJob)) == .reply(3))
    }

    @Test func anErrorThatAnswersNothingIsUnsolicited() {
        var machine = active()
        #expect(machine.received(Packet(.response, .error, ["UNKNOWN_OPTION", "x"])) == .unsolicited)
        #expect(machine.received(Packet(.response, .noJob)) == .closeUnexpectedReply)
    }

    @Test func aCheckedPacketExpectsErrorOrStatusOnly() {
        var machine = active()
        _ = machine.sendChecked(1)
        #expect(machine.received(created) == .closeUnexpectedReply)
    }

    @Test func losingTheChannelFailsCheckedPacketsToo() {
        var machine = active()
        _ = machine.sendChecked(1)
        _ = machine.send(expecting: 2)
        _ = machine.received(Packet(.response, .error, ["PERMISSION_DENIED", "register"]))
        #expect(machine.disconnected() == .announceLost(failing: [2], reconnectAfter: .milliseconds(100)))
        #expect(machine.sendChecked(3) == .failNotConnected(3))
    }

    @Test func optionResponsesAnswerNoRequest() {
        var machine = active()
        _ = machine.send(expecting: nil)  // OPTION_REQ: python gear's geard never answers it
        _ = machine.send(expecting: 1)
        #expect(machine.received(Packet(.response, .optionRes, ["exceptions"])) == .unsolicited)
        #expect(machine.received(created) == .reply(1))
    }

    @Test func sendingWhileDisconnectedFails() {
        var machine = ConnectionStateMachine<Int>(backoff: backoff)
        #expect(machine.send(expecting: 7) == .failNotConnected(7))
        _ = machine.start()
        #expect(machine.send(expecting: 8) == .failNotConnected(8))
    }

    @Test func losingTheChannelFailsPendingAndReconnects() {
        var machine = active()
        _ = machine.send(expecting: 1)
        _ = machine.send(expecting: 2)
        #expect(machine.disconnected() == .announceLost(failing: [1, 2], reconnectAfter: .milliseconds(100)))
        #expect(!machine.isActive)
        #expect(machine.reconnectTimerFired() == .connect)
        #expect(machine.connected() == .announceConnected)
        #expect(machine.send(expecting: 3) == .write)
        #expect(machine.received(created) == .reply(3))
    }

    @Test func closeIsFinal() {
        var machine = active()
        _ = machine.send(expecting: 1)
        #expect(machine.close() == .close(failing: [1], announceLost: true))
        #expect(machine.close() == .none)
        #expect(machine.reconnectTimerFired() == .none)
        #expect(machine.disconnected() == .none)
        #expect(machine.send(expecting: 2) == .failNotConnected(2))
    }
}
