import CoreMetrics
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// A swift-metrics backend that sends to statsd over UDP, as gear's server does with `STATSD_HOST`,
/// `STATSD_PORT` and `STATSD_PREFIX`.
///
/// Recording only updates the metric in memory; every ``Configuration/flushInterval`` the accumulated lines
/// go out in datagrams of at most ``Configuration/maximumDatagramSize`` bytes from an event loop of
/// `group`, so nothing ever blocks on the network. Keys are `prefix.label.dimension-values`:
/// `Counter(label: "packet", dimensions: [("type", "SUBMIT_JOB")])` is `prefix.packet.SUBMIT_JOB`.
///
/// ```swift
/// if let configuration = StatsdClient.Configuration(environment: ProcessInfo.processInfo.environment) {
///     let statsd = try await StatsdClient.connect(configuration)
///     let server = GearmanServer(metricsFactory: statsd)
/// }
/// ```
public final class StatsdClient: MetricsFactory, Sendable {
    public struct Configuration: Sendable {
        public var host: String
        public var port: Int
        /// Prepended with a dot to every key; empty for none.
        public var prefix: String
        public var flushInterval: TimeAmount
        /// 1432 fits one Ethernet frame with IPv6 headers.
        public var maximumDatagramSize: Int
        /// Values a timer sends per flush at most; beyond it a sample is sent with its sample rate.
        public var samplesPerFlush: Int

        public init(
            host: String, port: Int = 8125, prefix: String = "", flushInterval: TimeAmount = .seconds(1),
            maximumDatagramSize: Int = 1432, samplesPerFlush: Int = 100
        ) {
            self.host = host
            self.port = port
            self.prefix = prefix
            self.flushInterval = flushInterval
            self.maximumDatagramSize = maximumDatagramSize
            self.samplesPerFlush = samplesPerFlush
        }

        /// From `STATSD_HOST` (required), `STATSD_PORT` (default 8125) and `STATSD_PREFIX`; `nil` without a host.
        public init?(environment: [String: String]) throws {
            guard let host = environment["STATSD_HOST"], !host.isEmpty else { return nil }
            let portText = environment["STATSD_PORT"] ?? "8125"
            guard let port = Int(portText), (1...65535).contains(port) else {
                throw InvalidPort(text: portText)
            }
            self.init(host: host, port: port, prefix: environment["STATSD_PREFIX"] ?? "")
        }
    }

    public struct InvalidPort: Error, CustomStringConvertible {
        let text: String
        public var description: String { "STATSD_PORT '\(text)' is not a port number" }
    }

    let configuration: Configuration
    private let channel: Channel
    private let destination: SocketAddress
    private let metrics = NIOLockedValueBox<[ObjectIdentifier: any StatsdMetric]>([:])
    private let flushTask = NIOLockedValueBox<RepeatedTask?>(nil)

    private init(configuration: Configuration, channel: Channel, destination: SocketAddress) {
        self.configuration = configuration
        self.channel = channel
        self.destination = destination
    }

    /// Resolves the host, opens the UDP socket and starts flushing.
    public static func connect(
        _ configuration: Configuration, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws -> StatsdClient {
        let destination = try await NIOThreadPool.singleton.runIfActive {
            try SocketAddress.makeAddressResolvingHost(configuration.host, port: configuration.port)
        }
        let channel = try await DatagramBootstrap(group: group)
            .bind(host: destination.protocol == .inet6 ? "::" : "0.0.0.0", port: 0)
            .get()
        let client = StatsdClient(configuration: configuration, channel: channel, destination: destination)
        let task = channel.eventLoop.scheduleRepeatedTask(initialDelay: configuration.flushInterval, delay: configuration.flushInterval) {
            _ in client.flush()
        }
        client.flushTask.withLockedValue { $0 = task }
        return client
    }

    /// Sends what is pending and closes the socket.
    public func shutdown() async {
        flushTask.withLockedValue { $0 }?.cancel()
        flush()
        try? await channel.close()
    }

    /// Sends every line accumulated since the last flush.
    func flush() {
        for datagram in Self.datagrams(drainLines(), maximumSize: configuration.maximumDatagramSize) {
            let envelope = AddressedEnvelope(remoteAddress: destination, data: channel.allocator.buffer(string: datagram))
            channel.writeAndFlush(envelope, promise: nil)
        }
    }

    func drainLines() -> [String] {
        var lines: [String] = []
        for metric in metrics.withLockedValue({ Array($0.values) }) { metric.drain(into: &lines) }
        return lines
    }

    /// Lines joined by newlines into datagrams no larger than `maximumSize` (a longer line goes alone).
    static func datagrams(_ lines: [String], maximumSize: Int) -> [String] {
        var datagrams: [String] = []
        var current = ""
        for line in lines {
            if !current.isEmpty, current.utf8.count + 1 + line.utf8.count > maximumSize {
                datagrams.append(current)
                current = ""
            }
            current += current.isEmpty ? line : "\n" + line
        }
        if !current.isEmpty { datagrams.append(current) }
        return datagrams
    }

    /// `prefix.label.value1.value2`, with characters statsd gives meaning to (`:|@`, whitespace) and dots
    /// inside dimension values replaced by `_`.
    func key(_ label: String, _ dimensions: [(String, String)]) -> String {
        let parts = (configuration.prefix.isEmpty ? [] : [configuration.prefix]) + [label] + dimensions.map { Self.sanitized($0.1, keepingDots: false) }
        return Self.sanitized(parts.joined(separator: "."), keepingDots: true)
    }

    private static func sanitized(_ text: String, keepingDots: Bool) -> String {
        String(text.map { $0 == ":" || $0 == "|" || $0 == "@" || $0.isWhitespace || (!keepingDots && $0 == ".") ? "_" : $0 })
    }

    private func register<Metric: StatsdMetric>(_ metric: Metric) -> Metric {
        metrics.withLockedValue { $0[ObjectIdentifier(metric)] = metric }
        return metric
    }

    private func unregister(_ handler: AnyObject) {
        _ = metrics.withLockedValue { $0.removeValue(forKey: ObjectIdentifier(handler)) }
    }

    // MARK: MetricsFactory

    public func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
        register(StatsdCounter(key: key(label, dimensions)))
    }

    public func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
        let key = key(label, dimensions)
        return aggregate
            ? register(StatsdSampled(key: key, type: "h", capacity: configuration.samplesPerFlush))
            : register(StatsdGauge(key: key))
    }

    public func makeMeter(label: String, dimensions: [(String, String)]) -> any MeterHandler {
        register(StatsdGauge(key: key(label, dimensions)))
    }

    public func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler {
        register(StatsdSampled(key: key(label, dimensions), type: "ms", capacity: configuration.samplesPerFlush))
    }

    public func destroyCounter(_ handler: any CounterHandler) { unregister(handler) }
    public func destroyRecorder(_ handler: any RecorderHandler) { unregister(handler) }
    public func destroyMeter(_ handler: any MeterHandler) { unregister(handler) }
    public func destroyTimer(_ handler: any TimerHandler) { unregister(handler) }
}
