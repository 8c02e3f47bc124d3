import CoreMetrics
import GearmanProtocol
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL
#if canImport(Glibc)
import Glibc
#endif

/// An embeddable Gearman job server, wire compatible with gearmand.
///
/// ```swift
/// let server = GearmanServer(configuration: .init(host: "127.0.0.1", port: 0))
/// try await server.start()
/// print("listening on", server.port!)
/// _ = await server.shutdownRequested()  // an admin sent `shutdown`
/// try await server.stop()
/// ```
public final class GearmanServer: Sendable {
    /// This implementation's version, reported by `geard --version` and the admin `version` command.
    public static let version = "0.1.0"

    public let configuration: ServerConfiguration
    private let logger: Logger
    private let group: MultiThreadedEventLoopGroup
    let scheduler: Scheduler
    private let listeners = NIOLockedValueBox<[Listener]>([])
    /// The open TLS connections.
    private let accepted = AcceptedConnections()
    private let shutdownRequest: EventLoopPromise<Bool>
    private let shutdownRequestIssued = NIOLockedValueBox(false)

    /// Creates a server. With a `queueStore`, background jobs are acknowledged only once stored and are
    /// recovered from it by ``start()``; without one they live in memory.
    ///
    /// - Parameters:
    ///   - metricsFactory: where the server's metrics go (see the GearmanMonitoring module for statsd and
    ///     Prometheus); the default, swift-metrics' bootstrapped factory, is a no-op unless bootstrapped.
    public init(
        configuration: ServerConfiguration = .init(), queueStore: QueueStore? = nil, logger: Logger = Logger(label: "geard"),
        metricsFactory: any MetricsFactory = MetricsSystem.factory
    ) {
        self.configuration = configuration
        self.logger = logger
        self.group = MultiThreadedEventLoopGroup(numberOfThreads: configuration.threads)
        let loop = group.next()
        let promise = loop.makePromise(of: Bool.self)
        let issued = shutdownRequestIssued
        self.shutdownRequest = promise
        self.scheduler = Scheduler(
            loop: loop, configuration: configuration, logger: logger, queueStore: queueStore, metricsFactory: metricsFactory
        ) { graceful in
            let first = issued.withLockedValue { alreadyIssued in
                defer { alreadyIssued = true }
                return !alreadyIssued
            }
            if first { promise.succeed(graceful) }
        }
    }

    /// Recovers stored jobs, then binds the listening sockets (the main port, and the TLS port if configured).
    /// Returns once connections are accepted; throws if a port is taken or a TLS file cannot be loaded.
    public func start() async throws {
        try await recoverStoredJobs()
        let scheduler = self.scheduler
        try await scheduler.loop.submit { scheduler.startPruningResults() }.get()
        let configuration = self.configuration
        let tlsContext = try configuration.tls?.makeContext()
        var bindings: [(port: Int, tls: NIOSSLContext?)] = [(configuration.port, configuration.tls?.port == nil ? tlsContext : nil)]
        if let tlsPort = configuration.tls?.port { bindings.append((tlsPort, tlsContext)) }
        let limiter = configuration.maximumConnections.map(ConnectionLimiter.init)
        for binding in bindings {
            let pipeline = ConnectionPipeline(scheduler: scheduler, configuration: configuration, tls: binding.tls, limiter: limiter)
            let channel = try await makeBootstrap(tls: binding.tls != nil)
                .childChannelInitializer { channel in pipeline.configure(channel) }
                .bind(host: configuration.host, port: binding.port)
                .get()
            listeners.withLockedValue { $0.append(Listener(channel: channel, isTLS: binding.tls != nil)) }
            logger.info(
                "listening",
                metadata: ["address": "\(channel.localAddress?.description ?? "-")", "tls": "\(binding.tls != nil)"]
            )
        }
        if scheduler.metrics != nil {
            scheduler.loop.scheduleRepeatedTask(initialDelay: .zero, delay: Self.metricsSampleInterval) { _ in
                scheduler.sampleMetrics()
            }
        }
    }

    /// The listener for one port. Plain connections stay on the scheduler's loop: decoding a packet costs less
    /// than a hop between threads. TLS connections spread over every loop, taking encryption off its thread.
    private func makeBootstrap(tls: Bool) -> ServerBootstrap {
        var bootstrap = ServerBootstrap(group: scheduler.loop, childGroup: tls ? group : scheduler.loop)
            .serverChannelOption(.backlog, value: 4096)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            // Past the high mark a peer is not reading its responses: ConnectionHandler disconnects it.
            .childChannelOption(
                .writeBufferWaterMark,
                value: .init(low: configuration.maximumPendingOutput / 2, high: configuration.maximumPendingOutput)
            )
        if tls {
            // Connections on other loops than the scheduler's: stop() closes them while the scheduler still runs.
            let accepted = self.accepted
            bootstrap = bootstrap.serverChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(accepted.makeListenerHandler()) }
            }
        }
        if let keepalive = configuration.keepalive {
            bootstrap = bootstrap.childChannelOption(.socketOption(.so_keepalive), value: 1)
                .childChannelOption(ChannelOptions.Types.SocketOption.tcpOption(TCP_KEEPIDLE), value: SocketOptionValue(keepalive.idle))
                .childChannelOption(ChannelOptions.Types.SocketOption.tcpOption(TCP_KEEPINTVL), value: SocketOptionValue(keepalive.interval))
                .childChannelOption(ChannelOptions.Types.SocketOption.tcpOption(TCP_KEEPCNT), value: SocketOptionValue(keepalive.count))
        }
        return bootstrap
    }

    private func recoverStoredJobs() async throws {
        guard let store = scheduler.durable?.store else { return }
        let scheduler = self.scheduler
        let count = try await NIOThreadPool.singleton.runIfActive {
            do {
                var count = 0
                let highest = try store.highestJobID()
                try scheduler.loop.submit { scheduler.reserveHandles(through: highest) }.wait()
                try store.forEachChunk(of: 10_000) { chunk in
                    count += chunk.count
                    try scheduler.loop.submit { chunk.forEach(scheduler.recover) }.wait()
                }
                return count
            } catch {
                throw RecoveryFailed(store: store.description, reason: "\(error)")
            }
        }
        logger.info("recovered queued jobs", metadata: ["store": "\(store.description)", "jobs": "\(count)"])
        scheduler.sharedQueue?.start()
    }

    /// The bound main port, once ``start()`` returned.
    public var port: Int? { listeners.withLockedValue { $0.first?.channel.localAddress?.port } }

    /// The bound port that speaks TLS (the main port or the extra TLS port), once ``start()`` returned.
    public var tlsPort: Int? { listeners.withLockedValue { $0.first(where: \.isTLS)?.channel.localAddress?.port } }

    /// How often the gauges (queue depths, running jobs, connections) are set from the scheduler's tables.
    public static let metricsSampleInterval = TimeAmount.seconds(1)

    /// Sets the gauges now, as the periodic sampling does; for scrapes that want current figures.
    public func sampleMetrics() async {
        let scheduler = self.scheduler
        try? await scheduler.loop.submit { scheduler.sampleMetrics() }.get()
    }

    /// Functions, workers and recent throughput, as the scheduler sees them now.
    public func status() async throws -> ServerStatus {
        let scheduler = self.scheduler
        return try await scheduler.loop.submit { scheduler.status() }.get()
    }

    /// Waits until an admin asks for a shutdown; returns whether it asked for a graceful one.
    public func shutdownRequested() async -> Bool {
        (try? await shutdownRequest.futureResult.get()) ?? false
    }

    /// Asks the server to stop, as the admin `shutdown` command does.
    public func requestShutdown(graceful: Bool) {
        scheduler.requestShutdown(graceful)
    }

    /// The first half of a graceful stop: stops accepting connections, hands out no more jobs and refuses
    /// submits, closes the connections of idle workers, then waits up to `timeout` for the running jobs to
    /// finish and their results to be written to the clients. Returns whether that happened in time; call
    /// ``stop()`` afterwards.
    ///
    /// ```swift
    /// if await server.shutdownRequested() {            // `shutdown graceful`
    ///     _ = await server.drain(timeout: .seconds(30))
    /// }
    /// try await server.stop()
    /// ```
    public func drain(timeout: TimeAmount) async -> Bool {
        await closeListeners()
        let scheduler = self.scheduler
        return (try? await scheduler.loop.flatSubmit { scheduler.beginDrain(timeout: timeout) }.get()) ?? false
    }

    /// Stops accepting, closes every connection and releases the event loops.
    public func stop() async throws {
        requestShutdown(graceful: false)
        await closeListeners()
        await accepted.closeAll()
        if let durable = scheduler.durable {
            try? await scheduler.loop.flatSubmit { durable.whenIdle() }.get()
            await durable.shutdown()
        }
        try await group.shutdownGracefully()
        logger.info("stopped")
    }

    private func closeListeners() async {
        for listener in listeners.withLockedValue({ $0 }) {
            try? await listener.channel.close()
        }
    }
}

/// The queue store could not be read at start.
struct RecoveryFailed: Error, CustomStringConvertible {
    let store: String
    let reason: String
    var description: String { "cannot recover the queued jobs from \(store): \(reason)" }
}

/// A bound listening socket.
private struct Listener {
    let channel: Channel
    let isTLS: Bool
}

extension ChannelOptions.Types.SocketOption {
    /// An `IPPROTO_TCP` level option such as `TCP_KEEPIDLE`.
    static func tcpOption(_ name: Int32) -> Self {
        .init(level: SocketOptionLevel(IPPROTO_TCP), name: SocketOptionName(name))
    }
}
