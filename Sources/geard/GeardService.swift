import GearmanServer
import Logging
import ServiceLifecycle

/// Runs the server until SIGTERM/SIGINT or an admin `shutdown`, keeping the pidfile for its lifetime.
struct GeardService: Service {
    let server: GearmanServer
    let pidfile: PIDFile?

    func run() async throws {
        try await server.start()
        try pidfile?.write()
        defer { pidfile?.remove() }
        let graceful = await withGracefulShutdownHandler {
            await server.shutdownRequested()
        } onGracefulShutdown: {
            server.requestShutdown(graceful: true)
        }
        _ = graceful
        try await server.stop()
    }

    /// Runs in a service group that turns SIGTERM and SIGINT into a clean stop.
    func runUntilStopped() async throws {
        let group = ServiceGroup(
            configuration: .init(
                services: [.init(service: self, successTerminationBehavior: .gracefullyShutdownGroup)],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: Logger(label: "gear.lifecycle")
            )
        )
        try await group.run()
    }
}
