import CoreMetrics
import Prometheus

/// The Prometheus side of the server's metrics: a registry, the swift-metrics factory that fills it, and the
/// text exposition `/metrics` serves.
///
/// ```swift
/// let prometheus = PrometheusExporter()
/// let server = GearmanServer(metricsFactory: prometheus.factory)
/// let listener = try await MonitoringServer.bind(host: "127.0.0.1", port: 9100, server: server, prometheus: prometheus)
/// ```
public struct PrometheusExporter: Sendable {
    public let registry: PrometheusCollectorRegistry
    /// Pass to ``GearmanServer/init(configuration:logger:metricsFactory:)``, alone or in a
    /// `MultiplexMetricsHandler` with other backends.
    public let factory: any MetricsFactory

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        self.factory = PrometheusNaming(registry: registry)
    }

    /// The registry in Prometheus text format.
    public func render() -> [UInt8] {
        var output: [UInt8] = []
        registry.emit(into: &output)
        return output
    }
}

/// Gives the server's metrics Prometheus names: statsd-style dotted labels such as `packet` (used for both
/// a count and a timing, as gear's `prefix.packet.NAME`) become `gearman_packet_total` for the counter and
/// `gearman_packet_seconds` for the timer's histogram; gauges become `gearman_<label>`.
struct PrometheusNaming: MetricsFactory {
    let upstream: PrometheusMetricsFactory

    /// A factory on `registry`, with histogram buckets fit for packet handling (microseconds) and jobs
    /// (milliseconds to minutes).
    init(registry: PrometheusCollectorRegistry) {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.durationHistogramBuckets[Self.name("packet", suffix: "_seconds")] = [
            .microseconds(10), .microseconds(50), .microseconds(100), .microseconds(500), .milliseconds(1),
            .milliseconds(5), .milliseconds(25), .milliseconds(100),
        ]
        factory.defaultDurationHistogramBuckets = [
            .milliseconds(1), .milliseconds(10), .milliseconds(100), .milliseconds(500), .seconds(1), .seconds(5),
            .seconds(15), .seconds(60), .seconds(300), .seconds(1800),
        ]
        upstream = factory
    }

    static func name(_ label: String, suffix: String = "") -> String {
        "gearman_" + String(label.map { $0.isLetter || $0.isNumber ? $0 : "_" }) + suffix
    }

    func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
        upstream.makeCounter(label: Self.name(label, suffix: "_total"), dimensions: dimensions)
    }

    func makeFloatingPointCounter(label: String, dimensions: [(String, String)]) -> any FloatingPointCounterHandler {
        upstream.makeFloatingPointCounter(label: Self.name(label, suffix: "_total"), dimensions: dimensions)
    }

    func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
        upstream.makeRecorder(label: Self.name(label), dimensions: dimensions, aggregate: aggregate)
    }

    func makeMeter(label: String, dimensions: [(String, String)]) -> any MeterHandler {
        upstream.makeMeter(label: Self.name(label), dimensions: dimensions)
    }

    func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler {
        upstream.makeTimer(label: Self.name(label, suffix: "_seconds"), dimensions: dimensions)
    }

    func destroyCounter(_ handler: any CounterHandler) { upstream.destroyCounter(handler) }
    func destroyFloatingPointCounter(_ handler: any FloatingPointCounterHandler) { upstream.destroyFloatingPointCounter(handler) }
    func destroyRecorder(_ handler: any RecorderHandler) { upstream.destroyRecorder(handler) }
    func destroyMeter(_ handler: any MeterHandler) { upstream.destroyMeter(handler) }
    func destroyTimer(_ handler: any TimerHandler) { upstream.destroyTimer(handler) }
}
