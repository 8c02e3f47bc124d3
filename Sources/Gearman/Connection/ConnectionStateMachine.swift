import GearmanProtocol
import NIOCore

/// The life of one server connection, without a channel: connecting, reconnecting with backoff,
/// and pairing the server's in-order replies with the requests that asked for them.
///
/// Some packets have no reply when accepted but an ERROR when refused (CAN_DO under geard's ACL, OPTION_REQ with
/// an unknown option). They are sent *checked*: a GET_STATUS for the empty handle follows them (every server
/// answers it, python `gear` does not answer ECHO_REQ), so an ERROR that arrives before its STATUS_RES refuses
/// them and the STATUS_RES accepts them; an ERROR never lands on a later request it does not answer.
///
/// Each event returns the action the owner must perform. `Request` is whatever the owner needs to
/// complete a request (a promise in production, an integer in tests).
struct ConnectionStateMachine<Request> {
    private enum State {
        case idle
        case connecting(attempt: Int)
        case active
        case waitingToReconnect(attempt: Int)
        case closed
    }

    enum Action {
        case none
        /// Open a channel to the server.
        case connect
        /// The channel is up: send the handshake and announce the connection.
        case announceConnected
        /// Arm a timer and call ``reconnectTimerFired()`` after the delay.
        case scheduleReconnect(after: Duration)
        /// The channel went away: fail these requests, announce the loss, then reconnect after the delay.
        case announceLost(failing: [Request], reconnectAfter: Duration)
        /// Write the packet; its reply (if any) is queued.
        case write
        /// Write the packet, then the GET_STATUS whose answer accepts it (see ``sendChecked(_:)``).
        case writeChecked
        /// The request cannot be sent: not connected.
        case failNotConnected(Request?)
        /// The packet answers this request. For a checked request it is ERROR (refused) or STATUS_RES (accepted).
        case reply(Request)
        /// The packet answers no request: route it by content (WORK_*, NOOP, an ERROR nothing waits for, …).
        case unsolicited
        /// A reply arrived with no request waiting: close the channel.
        case closeUnexpectedReply
        /// Close the channel for good and fail these requests; announce the loss if it was up.
        case close(failing: [Request], announceLost: Bool)
    }

    /// What a reply still to come answers, in the order the requests were written.
    private enum Awaiting {
        /// A request with a reply of its own (which may be an ERROR).
        case reply(Request)
        /// A checked packet and its GET_STATUS: an ERROR refuses it, STATUS_RES accepts it.
        case checked(Request)
        /// The STATUS_RES that follows the ERROR of a refused checked packet: swallowed.
        case statusOfRefused
    }

    private var state = State.idle
    private var awaitingReply = CircularBuffer<Awaiting>()
    let backoff: Backoff

    init(backoff: Backoff) {
        self.backoff = backoff
    }

    /// Requests written whose replies are still to come.
    var repliesAwaited: Int { awaitingReply.count }

    var isActive: Bool {
        if case .active = state { return true }
        return false
    }

    var isClosed: Bool {
        if case .closed = state { return true }
        return false
    }

    mutating func start() -> Action {
        guard case .idle = state else { return .none }
        state = .connecting(attempt: 0)
        return .connect
    }

    mutating func connected() -> Action {
        guard case .connecting = state else { return .none }
        state = .active
        return .announceConnected
    }

    mutating func connectFailed() -> Action {
        guard case .connecting(let attempt) = state else { return .none }
        state = .waitingToReconnect(attempt: attempt + 1)
        return .scheduleReconnect(after: backoff.delay(attempt: attempt + 1))
    }

    mutating func reconnectTimerFired() -> Action {
        guard case .waitingToReconnect(let attempt) = state else { return .none }
        state = .connecting(attempt: attempt)
        return .connect
    }

    mutating func disconnected() -> Action {
        guard case .active = state else { return .none }
        state = .waitingToReconnect(attempt: 1)
        return .announceLost(failing: drainRequests(), reconnectAfter: backoff.delay(attempt: 1))
    }

    /// The owner wants to send a packet; `expecting` is set when the packet has a reply.
    mutating func send(expecting request: Request?) -> Action {
        guard case .active = state else { return .failNotConnected(request) }
        if let request { awaitingReply.append(.reply(request)) }
        return .write
    }

    /// The owner wants to send a packet that has no reply when accepted but may be refused with ERROR.
    mutating func sendChecked(_ request: Request) -> Action {
        guard case .active = state else { return .failNotConnected(request) }
        awaitingReply.append(.checked(request))
        return .writeChecked
    }

    mutating func received(_ packet: Packet) -> Action {
        guard case .active = state else { return .none }
        guard Self.isReply(packet) else { return .unsolicited }
        switch awaitingReply.first {
        case .reply(let request):
            awaitingReply.removeFirst()
            return .reply(request)
        case .checked(let request) where packet.type == .error:
            awaitingReply[awaitingReply.startIndex] = .statusOfRefused
            return .reply(request)
        case .checked(let request) where packet.type == .statusRes:
            awaitingReply.removeFirst()
            return .reply(request)
        case .statusOfRefused where packet.type == .statusRes:
            awaitingReply.removeFirst()
            return .none
        case nil where packet.type == .error:
            return .unsolicited
        case .checked, .statusOfRefused, nil:
            return .closeUnexpectedReply
        }
    }

    mutating func close() -> Action {
        if case .closed = state { return .none }
        let wasActive = isActive
        state = .closed
        return .close(failing: drainRequests(), announceLost: wasActive)
    }

    private mutating func drainRequests() -> [Request] {
        defer { awaitingReply.removeAll() }
        return awaitingReply.compactMap { awaiting in
            switch awaiting {
            case .reply(let request), .checked(let request): request
            case .statusOfRefused: nil
            }
        }
    }

    /// Whether the server sends `packet` only in answer to a request. An ERROR `JOB_NOT_FOUND`
    /// answers a fire-and-forget WORK_* packet, so it is not a reply. OPTION_REQ is sent without awaiting
    /// its OPTION_RES either, as some servers (python `gear`) never answer it.
    static func isReply(_ packet: Packet) -> Bool {
        switch packet.type {
        case .jobCreated, .statusRes, .statusResUnique, .echoRes, .noJob, .jobAssign, .jobAssignUniq, .jobAssignAll:
            true
        case .error:
            packet.string(0) != "JOB_NOT_FOUND"
        default:
            false
        }
    }
}
