import GearmanProtocol
import Logging
import NIOCore
import NIOPosix
import Synchronization

/// One server of a client or worker: a channel that reconnects with backoff, pairing requests with replies.
///
/// All state lives on `eventLoop`; public entry points hop there.
final class ServerConnection: Sendable {
    /// Who waits for a request's reply.
    enum PendingRequest: Sendable {
        case promise(EventLoopPromise<Packet>)
        /// Takes the reply as it arrives, before any later packet is processed.
        case receiver(any ReplyReceiver)

        func answer(with reply: Result<Packet, any Error>, on connection: ServerConnection) {
            switch self {
            case .promise(let promise): promise.completeWith(reply)
            case .receiver(let receiver): receiver.connection(connection, answered: reply)
            }
        }
    }

    private final class Core {
        var machine: ConnectionStateMachine<PendingRequest>
        var channel: (any Channel)?
        /// The channel while it connects (its TLS handshake), for ``close()`` to close.
        var connecting: (any Channel)?
        /// Packets written since the last flush.
        var outbound = ByteBuffer()
        var flushPending = false
        /// Packets in `outbound`.
        var unflushed = 0
        var reconnectTimer: Scheduled<Void>?

        init(backoff: Backoff) {
            machine = ConnectionStateMachine(backoff: backoff)
        }

        func discardOutbound() {
            outbound.clear()
            unflushed = 0
        }
    }

    let address: ServerAddress
    let eventLoop: any EventLoop
    private let core: NIOLoopBoundBox<Core>
    private let active = Atomic(false)
    private weak let delegate: (any ServerConnectionDelegate)?
    private weak let pool: ConnectionPool?
    private let logger: Logger

    init(address: ServerAddress, eventLoop: any EventLoop, backoff: Backoff, delegate: any ServerConnectionDelegate, pool: ConnectionPool, logger: Logger) {
        self.address = address
        self.eventLoop = eventLoop
        self.core = .makeBoxSendingValue(Core(backoff: backoff), eventLoop: eventLoop)
        self.delegate = delegate
        self.pool = pool
        var logger = logger
        logger[metadataKey: "gearman.server"] = "\(address)"
        self.logger = logger
    }

    /// Whether the channel is up (may change at any time).
    var isConnected: Bool { active.load(ordering: .acquiring) }

    func start() {
        onLoop { self.run(self.core.value.machine.start()) }
    }

    /// Closes the channel for good, failing requests in flight.
    func close() async {
        let closed = eventLoop.flatSubmit { () -> EventLoopFuture<Void> in
            let channel = self.core.value.channel ?? self.core.value.connecting
            self.run(self.core.value.machine.close())
            return channel?.close().recover { _ in } ?? self.eventLoop.makeSucceededVoidFuture()
        }
        try? await closed.get()
    }

    /// Sends a packet whose reply the caller awaits. Throws ``GearmanError/connectionLost`` when not connected
    /// or when the channel closes before the reply, `CancellationError` when the task is cancelled first (the reply
    /// is dropped as it arrives).
    func request(_ packet: some OutboundPacket) async throws -> Packet {
        let reply = OneShot<Packet>()
        send(packet, awaiting: .receiver(reply))
        return try await reply.value()
    }

    /// Sends a packet and hands its reply to `receiver` on the event loop, or ``GearmanError/connectionLost`` when not
    /// connected or when the channel closes first. Called on the event loop, the packet is written before this returns.
    func sendRequest(_ packet: some OutboundPacket, to receiver: any ReplyReceiver) {
        send(packet, awaiting: .receiver(receiver))
    }

    /// Sends a packet that a server answers only when it refuses it (CAN_DO under an ACL, OPTION_REQ): a GET_STATUS
    /// for the empty handle follows it, whose STATUS_RES tells acceptance from refusal. The future fails with
    /// ``GearmanError/Code/serverError`` on refusal, or with ``GearmanError/connectionLost``. Called on the event
    /// loop, the packet is written before this returns.
    func sendChecked(_ packet: Packet) -> EventLoopFuture<Void> {
        let promise = eventLoop.makePromise(of: Packet.self)
        onLoop {
            switch self.core.value.machine.sendChecked(.promise(promise)) {
            case .writeChecked:
                self.write(packet)
                self.write(Packet(.request, .getStatus, [ByteBuffer()]))
            case .failNotConnected:
                promise.fail(GearmanError.connectionLost)
            default:
                preconditionFailure("sendChecked returns .writeChecked or .failNotConnected")
            }
        }
        return promise.futureResult.flatMapThrowing { reply in
            if reply.type == .error { throw GearmanError.serverError(code: reply.string(0), message: reply.string(1)) }
        }
    }

    /// Sends a packet that has no reply. Throws ``GearmanError/connectionLost`` when not connected; returns once the
    /// packet is queued, without suspending when called on the event loop.
    nonisolated(nonsending) func send(_ packet: some OutboundPacket) async throws {
        if eventLoop.inEventLoop { return try sendNow(packet) }
        try await eventLoop.submit { try self.sendNow(packet) }.get()
    }

    /// Sends a packet that has no reply without waiting. Called on the event loop (handshakes), the packet
    /// is written before this returns.
    func sendAndForget(_ packet: Packet) {
        onLoop(packet) { connection, packet in try? connection.sendNow(packet) }
    }

    private func onLoop(_ body: @escaping @Sendable () -> Void) {
        onLoop(body) { _, body in body() }
    }

    /// Runs `body` with `argument` on the event loop: at once when called there. Passing what the body needs as
    /// `argument`, with a closure that captures nothing, costs no allocation on the event loop.
    private func onLoop<Argument: Sendable>(_ argument: Argument, _ body: @escaping @Sendable (ServerConnection, Argument) -> Void) {
        if eventLoop.inEventLoop {
            body(self, argument)
        } else {
            eventLoop.execute { body(self, argument) }
        }
    }

    private func sendNow(_ packet: some OutboundPacket) throws {
        guard case .write = core.value.machine.send(expecting: nil) else { throw GearmanError.connectionLost }
        write(packet)
    }

    /// Writes `packet` on the event loop (at once when called there) and queues `request` for its reply.
    private func send(_ packet: some OutboundPacket, awaiting request: PendingRequest) {
        onLoop((packet, request)) { connection, request in connection.sendOnLoop(request.0, awaiting: request.1) }
    }

    private func sendOnLoop(_ packet: some OutboundPacket, awaiting request: PendingRequest) {
        switch core.value.machine.send(expecting: request) {
        case .write:
            // The only request awaiting a reply: the server has nothing else to work on, so it goes out at once
            // (with one request in flight, waiting for the end of the tick cost 10% of the CPU per round trip).
            write(packet, now: core.value.machine.repliesAwaited == 1)
        case .failNotConnected:
            request.answer(with: .failure(GearmanError.connectionLost), on: self)
        default:
            preconditionFailure("send returns .write or .failNotConnected")
        }
    }

    /// Encodes `packet` into the outbound buffer, which goes out in one write after the tasks the event loop has
    /// queued now: packets written together (a WORK_COMPLETE and the next GRAB_JOB, the submits of concurrent
    /// tasks) leave in one system call. Every ``packetsPerWrite`` packets go out at once, so that the server works
    /// on the first requests while later ones are being written; with `now`, this packet and those before it do.
    private func write(_ packet: some OutboundPacket, now: Bool = false) {
        let core = core.value
        guard core.channel != nil else { return }
        packet.write(to: &core.outbound)
        core.unflushed += 1
        if now || core.unflushed == Self.packetsPerWrite {
            flush()
        } else if !core.flushPending {
            core.flushPending = true
            eventLoop.execute {
                self.core.value.flushPending = false
                self.flush()
            }
        }
    }

    /// Packets written at most before a flush. Measured with 16 background submits in flight on one connection to
    /// gearmand (median of 5 runs): 103k submits/s flushing once per event-loop tick, 119k every packet, 174k every 2,
    /// 204k every 4, 125k every 6 or 8. With 4, 8 or 64 in flight, 4 was within 10% of the best and never below once
    /// per tick.
    static let packetsPerWrite = 4

    private func flush() {
        let core = core.value
        core.unflushed = 0
        guard let channel = core.channel, core.outbound.readableBytes > 0 else { return }
        channel.writeAndFlush(core.outbound, promise: nil)
        core.outbound.clear()
    }

    // MARK: Channel events (on the event loop)

    func received(_ packet: Packet, on channel: any Channel) {
        let core = core.value
        guard core.channel === channel else { return }
        switch core.machine.received(packet) {
        case .reply(let request):
            request.answer(with: .success(packet), on: self)
        case .unsolicited:
            delegate?.connection(self, received: packet)
        case .closeUnexpectedReply:
            logger.warning("unexpected reply, closing", metadata: ["packet": "\(packet)"])
            channel.close(promise: nil)
        default:
            break
        }
    }

    func channelInactive(_ channel: any Channel) {
        guard core.value.channel === channel else { return }
        run(core.value.machine.disconnected())
    }

    private func connect() {
        let bootstrap: ClientBootstrap
        do {
            bootstrap = try address.bootstrap(on: eventLoop) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(PacketReader(connection: self))
                }
            }
        } catch {
            logger.error("cannot configure connection", metadata: ["error": "\(error)"])
            run(core.value.machine.connectFailed())
            return
        }
        let address = self.address
        let connected = bootstrap.connect(host: address.host, port: address.port).hop(to: eventLoop).flatMap { channel in
            // Closed while the socket connected: no handshake for a connection nobody wants.
            guard !self.core.value.machine.isClosed else {
                return channel.close().flatMapThrowing { () -> any Channel in throw GearmanError.shutdown }
            }
            self.core.value.connecting = channel
            return address.ready(channel).hop(to: self.eventLoop)
        }
        connected.whenComplete { result in
            self.core.value.connecting = nil
            switch result {
            case .success(let channel) where channel.isActive:
                let action = self.core.value.machine.connected()
                // Closed while connecting: the channel is not wanted any more.
                guard case .announceConnected = action else { return channel.close(promise: nil) }
                self.core.value.channel = channel
                self.run(action)
            case .success(let channel):
                channel.close(promise: nil)
                self.run(self.core.value.machine.connectFailed())
            case .failure(let error):
                self.logger.debug("connect failed", metadata: ["error": "\(error)"])
                self.run(self.core.value.machine.connectFailed())
            }
        }
    }

    private func run(_ action: ConnectionStateMachine<PendingRequest>.Action) {
        switch action {
        case .none, .write, .writeChecked, .failNotConnected, .reply, .unsolicited, .closeUnexpectedReply:
            break
        case .connect:
            connect()
        case .announceConnected:
            logger.debug("connected")
            delegate?.connectionEstablished(self)
            setActive(true)
        case .scheduleReconnect(let delay):
            scheduleReconnect(after: delay)
        case .announceLost(let requests, let delay):
            logger.debug("connection lost")
            core.value.channel = nil
            core.value.discardOutbound()
            setActive(false)
            requests.forEach { $0.answer(with: .failure(GearmanError.connectionLost), on: self) }
            delegate?.connectionLost(self)
            scheduleReconnect(after: delay)
        case .close(let requests, let announceLost):
            core.value.channel = nil
            core.value.discardOutbound()
            core.value.reconnectTimer?.cancel()
            setActive(false)
            requests.forEach { $0.answer(with: .failure(GearmanError.connectionLost), on: self) }
            if announceLost { delegate?.connectionLost(self) }
        }
    }

    private func setActive(_ value: Bool) {
        active.store(value, ordering: .releasing)
        pool?.connectionStateChanged(self)
    }

    private func scheduleReconnect(after delay: Duration) {
        core.value.reconnectTimer = eventLoop.scheduleTask(in: TimeAmount(delay)) {
            self.run(self.core.value.machine.reconnectTimerFired())
        }
    }
}

extension ServerConnection: Equatable {
    /// The same connection object, which stays the same across reconnects.
    static func == (lhs: ServerConnection, rhs: ServerConnection) -> Bool { lhs === rhs }
}
