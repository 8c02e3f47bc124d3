import ArgumentParser
import CoreMetrics
import GearmanMonitoring
import GearmanServer

/// `host:port` (IPv6 hosts in brackets: `[::1]:9100`), as `--metrics-address` takes it.
struct HostAndPort: ExpressibleByArgument, Sendable {
    var host: String
    var port: Int

    init?(argument: String) {
        guard let colon = argument.lastIndex(of: ":"), let port = Int(argument[argument.index(after: colon)...]),
            (0...65535).contains(port)
        else { return nil }
        var host = String(argument[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { return nil }
        self.host = host
        self.port = port
    }
}

/// geard's metrics backends: statsd from `STATSD_HOST`/`STATSD_PORT`/`STATSD_PREFIX`, Prometheus and the
/// dashboard when `--metrics-address` is given.
struct Monitoring: Sendable {
    let statsd: StatsdClient?
    let prometheus: PrometheusExporter?
    let address: HostAndPort?

    static func start(address: HostAndPort?, environment: [String: String]) async throws -> Monitoring {
        var statsd: StatsdClient?
        if let configuration = try StatsdClient.Configuration(environment: environment) {
            statsd = try await StatsdClient.connect(configuration)
        }
        return Monitoring(statsd: statsd, prometheus: address.map { _ in PrometheusExporter() }, address: address)
    }

    /// Where the server's metrics go: every configured backend, or nowhere.
    var metricsFactory: any MetricsFactory {
        let factories: [any MetricsFactory] = [statsd, prometheus?.factory].compactMap { $0 }
        switch factories.count {
        case 0: return NOOPMetricsHandler.instance
        case 1: return factories[0]
        default: return MultiplexMetricsHandler(factories: factories)
        }
    }

    /// Binds the HTTP listener, when there is an address.
    func bindListener(for server: GearmanServer) async throws -> MonitoringServer? {
        guard let address else { return nil }
        return try await MonitoringServer.bind(host: address.host, port: address.port, server: server, prometheus: prometheus)
    }

    func shutdown() async {
        await statsd?.shutdown()
    }
}
