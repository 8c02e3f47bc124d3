import GearmanProtocol
import NIOCore

/// The life of one server connection, without a channel: connecting, reconnecting with backoff,
/// and pairing the server's in-order replies with the requests that asked for them.
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
        /// The request cannot be sent: not connected.
        case failNotConnected(Request?)
        /// The packet answers this request.
        case reply(Request)
        /// The packet answers no request: route it by content (WORK_*, NOOP, …).
        case unsolicited
        /// A reply arrived with no request waiting: close the channel.
        case closeUnexpectedReply
        /// Close the channel for good and fail these requests; announce the loss if it was up.
        case close(failing: [Request], announceLost: Bool)
    }

    private var state = State.idle
    private var awaitingReply = CircularBuffer<Request>()
    let backoff: Backoff

    init(backoff: Backoff) {
        self.backoff = backoff
    }

    var isActive: Bool {
        if case .active = state { return true }
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
        if let request { awaitingReply.append(request) }
        return .write
    }

    mutating func received(_ packet: Packet) -> Action {
        guard case .active = state else { return .none }
        guard Self.isReply(packet) else { return .unsolicited }
        guard let request = awaitingReply.popFirst() else { return .closeUnexpectedReply }
        return .reply(request)
    }

    mutating func close() -> Action {
        if case .closed = state { return .none }
        let wasActive = isActive
        state = .closed
        return .close(failing: drainRequests(), announceLost: wasActive)
    }

    private mutating func drainRequests() -> [Request] {
        defer { awaitingReply.removeAll() }
        return Array(awaitingReply)
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
