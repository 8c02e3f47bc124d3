import GearmanMonitoring
import GearmanServer
import NIOCore
import Logging
import ServiceLifecycle
import UnixSignals

/// Runs the server (and the monitoring listener, if any) until SIGTERM/SIGINT or an admin `shutdown`,
/// keeping the pidfile for its lifetime. SIGTERM, SIGINT and `shutdown graceful` drain first (up to
/// `drainTimeout`); a plain `shutdown` stops at once.
struct GeardService: Service {
    let server: GearmanServer
    let monitoring: Monitoring
    let pidfile: PIDFile?
    let drainTimeout: TimeAmount
    /// The ACL file, reloaded on SIGHUP.
    let aclPath: String?

    func run() async throws {
        // Trap SIGHUP before serving, so a reload request never meets the default action (termination).
        let hangups = aclPath == nil ? nil : await UnixSignalsSequence(trapping: .sighup)
        do {
            try await server.start()
        } catch {
            try? await server.stop()  // releases the event loops and the shutdown promise before the error ends geard
            throw error
        }
        let listener = try await monitoring.bindListener(for: server)
        try pidfile?.write()
        defer { pidfile?.remove() }
        await withThrowingTaskGroup(of: Void.self) { group in
            if let listener { group.addTask { try await listener.run() } }
            if let hangups, let aclPath { group.addTask { await reloadAccessControl(from: aclPath, on: hangups) } }
            let graceful = await withGracefulShutdownHandler {
                await server.shutdownRequested()
            } onGracefulShutdown: {
                server.requestShutdown(graceful: true)
            }
            if graceful { _ = await server.drain(timeout: drainTimeout) }
            group.cancelAll()
        }
        try await server.stop()
        await monitoring.shutdown()
    }

    /// Each SIGHUP reads the ACL file again; a file that does not parse is logged and the list in force kept.
    private func reloadAccessControl(from aclPath: String, on hangups: UnixSignalsSequence) async {
        let logger = Logger(label: "gear.Server")
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
                logger: Logger(label: "gear.lifecycle")
            )
        )
        try await group.run()
    }
}
