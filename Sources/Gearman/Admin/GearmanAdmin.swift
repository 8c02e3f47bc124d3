import GearmanProtocol
import NIOCore
import NIOPosix

/// The text admin protocol of one job server, plus ECHO round trips.
///
/// ```swift
/// try await GearmanAdmin.withConnection(to: ServerAddress(host: "127.0.0.1")) { admin in
///     for function in try await admin.status() { print(function.function, function.total) }
///     print(try await admin.ping())
/// }
/// ```
///
/// Commands run one after another on one connection, so the value lives only inside ``withConnection(to:eventLoopGroup:_:)``.
public final class GearmanAdmin {
    private var inbound: NIOAsyncChannelInboundStream<Frame>.AsyncIterator
    private let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>

    private init(inbound: NIOAsyncChannelInboundStream<Frame>.AsyncIterator, outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>) {
        self.inbound = inbound
        self.outbound = outbound
    }

    /// Connects, runs `body` and closes the connection. With a `timeout`, a server still owing an answer when it
    /// passes is disconnected and the call throws ``GearmanError/timeout``.
    public static func withConnection<Result: Sendable>(
        to address: ServerAddress,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        timeout: Duration? = nil,
        _ body: (GearmanAdmin) async throws -> Result
    ) async throws -> Result {
        let channel: NIOAsyncChannel<Frame, ByteBuffer>
        do {
            channel = try await address.bootstrap(on: eventLoopGroup.next()) { $0.eventLoop.makeSucceededVoidFuture() }
                .connect(host: address.host, port: address.port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        // A `result` answer carries up to a packet's worth of data in base64 (4/3 of it).
                        try channel.pipeline.syncOperations.addHandler(
                            ByteToMessageHandler(FrameDecoder(
                                expecting: .response, maximumLineLength: 2 * FrameDecoder.defaultMaximumPacketSize, acceptsAdminLines: true
                            )))
                        return try NIOAsyncChannel<Frame, ByteBuffer>(wrappingChannelSynchronously: channel)
                    }
                }
        } catch {
            throw GearmanError(.noConnectedServer, "\(address): \(error)")
        }
        let expired = OneShot<Void>()
        let deadline = timeout.map { timeout in
            channel.channel.eventLoop.scheduleTask(in: TimeAmount(timeout)) {
                expired.fulfill(.success(()))
                channel.channel.close(promise: nil)
            }
        }
        defer { deadline?.cancel() }
        do {
            return try await channel.executeThenClose { inbound, outbound in
                try await body(GearmanAdmin(inbound: inbound.makeAsyncIterator(), outbound: outbound))
            }
        } catch where expired.result != nil {
            throw GearmanError.timeout
        }
    }

    /// `status`: every function's queue.
    public func status() async throws -> [FunctionStatus] {
        try await list(.status).compactMap(FunctionStatus.init(line:))
    }

    /// `workers`: every connection and its functions.
    public func workers() async throws -> [WorkerStatus] {
        try await list(.workers).compactMap(WorkerStatus.init(line:))
    }

    /// `show jobs`: every job the server holds.
    public func showJobs() async throws -> [QueuedJob] {
        try await list(.showJobs).compactMap(QueuedJob.init(line:))
    }

    /// `show unique jobs`: the unique ids of the jobs the server holds.
    public func showUniqueJobs() async throws -> [String] {
        // gearmand sends the unique id alone; geard adds a tab and the handle.
        try await list(.showUniqueJobs).map { String($0.prefix { $0 != "\t" }) }
    }

    /// `version`: the server's version string.
    public func version() async throws -> String {
        try await ok(.version)
    }

    /// `getpid`: the server's process id.
    public func getpid() async throws -> Int {
        let text = try await ok(.getpid)
        guard let pid = Int(text) else { throw GearmanError.protocolError("getpid answered \(text)") }
        return pid
    }

    /// `maxqueue FUNCTION [N | HIGH NORMAL LOW]`: limit a function's queue; `nil` removes the limit.
    public func maxQueue(_ function: String, limits: [Int]?) async throws {
        _ = try await ok(.maxQueue(function: function, limits: limits))
    }

    /// `shutdown [graceful]`: stop the server.
    public func shutdown(graceful: Bool = false) async throws {
        _ = try await ok(.shutdown(graceful: graceful))
    }

    /// `cancel job HANDLE`: remove a queued job.
    public func cancelJob(_ handle: String) async throws {
        _ = try await ok(.cancelJob(handle: handle))
    }

    /// Round-trip time of an ECHO_REQ.
    public func ping() async throws -> Duration {
        let clock = ContinuousClock()
        let start = clock.now
        var buffer = ByteBuffer()
        buffer.writePacket(Packet(.request, .echoReq, ["ping"]))
        try await outbound.write(buffer)
        guard case .packet(let reply) = try await nextFrame(), reply.type == .echoRes else {
            throw GearmanError.protocolError("ping got no ECHO_RES")
        }
        return clock.now - start
    }

    /// Sends any command line (e.g. `acl list`) and returns the answer's lines: a single `OK …` line, or
    /// the lines of a list up to its `.` terminator. `ERR` answers throw ``GearmanError/Code/serverError``.
    public func raw(_ line: String) async throws -> [String] {
        try await send(line)
        let first = try await nextLine()
        try Self.checkError(first)
        if first.hasPrefix("OK") { return [first] }
        return first == "." ? [] : try await [first] + readList()
    }

    private func list(_ command: AdminCommand) async throws -> [String] {
        try await send(command.line)
        return try await readList()
    }

    /// Sends a single-answer command and returns the text after `OK `.
    private func ok(_ command: AdminCommand) async throws -> String {
        try await send(command.line)
        let line = try await nextLine()
        try Self.checkError(line)
        guard line.hasPrefix("OK") else { throw GearmanError.protocolError("expected OK, got \(line)") }
        return String(line.dropFirst(2).drop(while: { $0 == " " }))
    }

    private func readList() async throws -> [String] {
        var lines: [String] = []
        while true {
            let line = try await nextLine()
            if line == "." { return lines }
            if lines.isEmpty { try Self.checkError(line) }
            lines.append(line)
        }
    }

    func send(_ line: String) async throws {
        try await outbound.write(ByteBuffer(string: line + "\n"))
    }

    func nextLine() async throws -> String {
        guard case .adminLine(let line) = try await nextFrame() else {
            throw GearmanError.protocolError("binary packet in an admin answer")
        }
        return String(buffer: line)
    }

    private func nextFrame() async throws -> Frame {
        guard let frame = try await inbound.next() else { throw GearmanError.connectionLost }
        return frame
    }

    static func checkError(_ line: String) throws {
        guard line.hasPrefix("ERR") else { return }
        let words = line.split(separator: " ", maxSplits: 2).map(String.init)
        throw GearmanError.serverError(code: words.count > 1 ? words[1] : "ERR", message: words.count > 2 ? words[2] : "")
    }
}
