import Foundation
import GearmanProtocol
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import Testing

/// Many clients and workers through one `geard` process, every result checked. A stress test, run alone
/// (`GEARMAN_STRESS_TESTS=1`); sizes from `GEARMAN_LOAD_JOBS`, `GEARMAN_LOAD_CLIENTS`, `GEARMAN_LOAD_WORKERS`.
@Suite(.enabled(if: stressTestsEnabled, "set GEARMAN_STRESS_TESTS=1 and run it alone"))
struct LoadTests {
    private static func setting(_ name: String, _ fallback: Int) -> Int {
        ProcessInfo.processInfo.environment[name].flatMap { Int($0) } ?? fallback
    }

    /// What a worker answers: the payload reversed, so a result proves a worker handled that very job.
    static func result(for payload: String) -> String { String(payload.reversed()) }

    @Test func foregroundJobsFromManyClientsThroughManyWorkers() async throws {
        let jobs = Self.setting("GEARMAN_LOAD_JOBS", 200_000)
        let clients = Self.setting("GEARMAN_LOAD_CLIENTS", 2_000)
        let workers = Self.setting("GEARMAN_LOAD_WORKERS", 50)
        let geard = try await GeardProcess(["--queue", "memory"])
        let group = MultiThreadedEventLoopGroup.singleton

        let workerChannels = try await connect(workers, to: geard.port, on: group) { _ in LoadWorker() }
        let admin = try await TestPeer(port: geard.port)
        try await waitUntil { try await admin.adminResponse("status") == ["load\t0\t0\t\(workers)", "."] }

        let started = ContinuousClock.now
        let outcomes = NIOLockedValueBox<[LoadClient.Outcome]>([])
        let clientChannels = try await connect(clients, to: geard.port, on: group) { index in
            LoadClient(id: index, jobs: jobs / clients + (index < jobs % clients ? 1 : 0)) { outcome in
                outcomes.withLockedValue { $0.append(outcome) }
            }
        }
        try await waitUntil(timeout: .seconds(Int64(Self.setting("GEARMAN_LOAD_SECONDS", 900)))) {
            outcomes.withLockedValue { $0.count } == clients
        }
        let elapsed = ContinuousClock.now - started
        let finished = outcomes.withLockedValue { $0 }
        let verified = finished.reduce(0) { $0 + $1.verified }
        let problems = finished.compactMap(\.problem)
        print("load: \(verified) of \(jobs) foreground jobs, \(clients) clients, \(workers) workers in \(elapsed) (\(Int(Double(verified) / elapsed.seconds)) jobs/s)")
        #expect(problems.isEmpty, "\(problems.prefix(5))")
        #expect(verified == jobs)
        #expect(try await admin.adminResponse("status") == ["load\t0\t0\t\(workers)", "."], "no job left behind")
        for channel in clientChannels + workerChannels { channel.close(promise: nil) }
        await geard.kill(SIGTERM)  // On a failure before here, its deinit kills it.
    }

    private func connect(
        _ count: Int, to port: Int, on group: EventLoopGroup, _ makeHandler: @escaping @Sendable (Int) -> some ChannelInboundHandler & Sendable
    ) async throws -> [Channel] {
        try await withThrowingTaskGroup(of: Channel.self) { tasks in
            for index in 0..<count {
                tasks.addTask {
                    try await ClientBootstrap(group: group)
                        .channelOption(.socketOption(.tcp_nodelay), value: 1)
                        .connectTimeout(.seconds(60))
                        .channelInitializer { channel in
                            channel.eventLoop.makeCompletedFuture {
                                try channel.pipeline.syncOperations.addHandlers(
                                    ByteToMessageHandler(FrameDecoder(expecting: .response)), makeHandler(index)
                                )
                            }
                        }
                        .connect(host: "127.0.0.1", port: port).get()
                }
            }
            return try await tasks.reduce(into: []) { $0.append($1) }
        }
    }
}

extension Duration {
    fileprivate var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}

/// Submits its jobs one after another, each waiting for its WORK_COMPLETE, and checks every result.
private final class LoadClient: ChannelInboundHandler, @unchecked Sendable {
    // Touched only on the channel's event loop.
    typealias InboundIn = Frame
    typealias OutboundOut = ByteBuffer

    struct Outcome {
        let verified: Int
        let problem: String?
    }

    private let id: Int
    private let jobs: Int
    private let report: @Sendable (Outcome) -> Void
    private var submitted = 0
    private var verified = 0
    private var expected = ""
    private var reported = false

    init(id: Int, jobs: Int, report: @escaping @Sendable (Outcome) -> Void) {
        self.id = id
        self.jobs = jobs
        self.report = report
    }

    func channelActive(context: ChannelHandlerContext) {
        submitNext(context)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .packet(let packet) = unwrapInboundIn(data) else { return finish("unexpected admin text") }
        switch packet.type {
        case .jobCreated, .workStatus, .workData:
            break
        case .workComplete where packet.string(1) == expected:
            verified += 1
            submitNext(context)
        default:
            finish("client \(id) job \(submitted): \(packet.type.name) \(packet.arguments.map { String(buffer: $0) })")
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        finish("client \(id) disconnected after \(verified) results")
    }

    private func submitNext(_ context: ChannelHandlerContext) {
        guard submitted < jobs else { return finish(nil) }
        submitted += 1
        let payload = "client-\(id)-job-\(submitted)"
        expected = LoadTests.result(for: payload)
        var buffer = context.channel.allocator.buffer(capacity: 64)
        buffer.writePacket(Packet(.request, .submitJob, ["load", "", payload]))
        context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
    }

    private func finish(_ problem: String?) {
        guard !reported else { return }
        reported = true
        report(Outcome(verified: verified, problem: problem))
    }
}

/// Grabs jobs of `load` and completes each with its payload reversed; sleeps (PRE_SLEEP) when there are none.
private final class LoadWorker: ChannelInboundHandler, @unchecked Sendable {
    // Touched only on the channel's event loop.
    typealias InboundIn = Frame
    typealias OutboundOut = ByteBuffer

    func channelActive(context: ChannelHandlerContext) {
        send(context, Packet(.request, .canDo, ["load"]), Packet(.request, .grabJob))
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .packet(let packet) = unwrapInboundIn(data) else { return }
        switch packet.type {
        case .jobAssign:
            let result = LoadTests.result(for: packet.string(2))
            send(context, Packet(.request, .workComplete, [packet.string(0), result]), Packet(.request, .grabJob))
        case .noJob:
            send(context, Packet(.request, .preSleep))
        case .noop:
            send(context, Packet(.request, .grabJob))
        default:
            break
        }
    }

    private func send(_ context: ChannelHandlerContext, _ packets: Packet...) {
        var buffer = context.channel.allocator.buffer(capacity: 64)
        for packet in packets { buffer.writePacket(packet) }
        context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
    }
}
