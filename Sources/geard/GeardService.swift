import GearmanServer
import Logging
import ServiceLifecycle
import UnixSignals

/// Runs the server until SIGTERM/SIGINT or an admin `shutdown`, keeping the pidfile for its lifetime.
struct GeardService: Service {
    let server: GearmanServer
    let pidfile: PIDFile?
    /// The ACL file, reloaded on SIGHUP.
    let aclPath: String?

    func run() async throws {
        // Trap SIGHUP before serving, so a reload request never meets the default action (termination).
        let hangups = aclPath == nil ? nil : await UnixSignalsSequence(trapping: .sighup)
        try await server.start()
        try pidfile?.write()
        defer { pidfile?.remove() }
        let reloader = Task { if let hangups, let aclPath { await reloadAccessControl(from: aclPath, on: hangups) } }
        defer { reloader.cancel() }
        let graceful = await withGracefulShutdownHandler {
            await server.shutdownRequested()
        } onGracefulShutdown: {
            server.requestShutdown(graceful: true)
        }
        _ = graceful
        try await server.stop()
    }

    /// Each SIGHUP reads the ACL file again; a file that does not parse is logged and the list in force kept.
    private func reloadAccessControl(from aclPath: String, on hangups: UnixSignalsSequence) async {
        let logger = Logger(label: "geard")
        for await _ in hangups {
            do {
                await server.replaceAccessControl(try AccessControlList(contentsOfFile: aclPath))
                logger.notice("ACL reloaded", metadata: ["path": "\(aclPath)"])
            } catch {
                logger.error("ACL reload failed, keeping the list in force", metadata: ["error": "\(error)"])
            }
        }
    }

    /// Runs in a service group that turns SIGTERM and SIGINT into a clean stop.
    func runUntilStopped() async throws {
        let group = ServiceGroup(
            configuration: .init(
                services: [.init(service: self, successTerminationBehavior: .gracefullyShutdownGroup)],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: Logger(label: "geard.lifecycle")
            )
        )
        try await group.run()
    }
}
