import ArgumentParser
import Foundation
import GearmanServer
import Logging
import ServiceLifecycle

/// `geard`: the Gearman job server. Flags follow the seed's `geard --help`, plus gearmand-style extras.
@main
struct Geard: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "geard",
        abstract: "Gearman job server, wire compatible with gearmand.",
        discussion: "Without -d, geard detaches from the terminal and runs as a daemon."
    )

    @Flag(name: .customShort("d"), help: "Do not run as a daemon (stay in the foreground).")
    var foreground = false

    @Option(name: [.customShort("p"), .long], help: "Port on which to listen.")
    var port = 4730

    @Option(name: .long, help: "IP address or domain name to listen on.")
    var listenAddress = "0.0.0.0"

    @Option(name: .long, help: ArgumentHelp("Logging config file (Python logging INI format).", valueName: "LOG_CONFIG"))
    var logConfig: String?

    @Option(name: .long, help: "PID file, written once the port is bound and removed on exit.")
    var pidfile: String?

    @Option(name: .customLong("ssl-ca"), help: ArgumentHelp("Path to CA certificate.", valueName: "PATH"))
    var sslCA: String?

    @Option(name: .customLong("ssl-cert"), help: ArgumentHelp("Path to SSL public certificate.", valueName: "PATH"))
    var sslCert: String?

    @Option(name: .customLong("ssl-key"), help: ArgumentHelp("Path to SSL private key.", valueName: "PATH"))
    var sslKey: String?

    @Option(name: .customLong("ssl-port"), help: "Port for TLS beside the plain --port; without it --port itself speaks TLS.")
    var sslPort: Int?

    @Option(name: .long, help: ArgumentHelp("Path to ACL file.", valueName: "PATH"))
    var acl: String?

    @Flag(name: .long, help: "Enable TCP keepalives on accepted sockets.")
    var keepalive = false

    @Option(name: .customLong("keepalive-idle"), help: ArgumentHelp("TCP keepalive idle time, seconds.", valueName: "TCP_KEEPIDLE"))
    var keepaliveIdle = 7200

    @Option(name: .customLong("keepalive-interval"), help: ArgumentHelp("TCP keepalive probe interval, seconds.", valueName: "TCP_KEEPINTVL"))
    var keepaliveInterval = 75

    @Option(name: .customLong("keepalive-count"), help: ArgumentHelp("TCP keepalive probes count.", valueName: "TCP_KEEPCNT"))
    var keepaliveCount = 9

    @Option(name: .long, help: "Event loop threads for connections; scheduling always runs on the first.")
    var threads = 1

    @Option(name: [.customShort("j"), .long], help: "Attempts a job gets before it is failed when its workers vanish or time out (0: no limit).")
    var jobRetries = 0

    @Option(name: .long, help: "Largest accepted packet body, bytes.")
    var maxPacketSize = 64 << 20

    @Option(name: .long, help: "Connections served at once; more are refused with an ERROR packet (default: no limit).")
    var maxConnections: Int?

    @Option(name: .long, help: ArgumentHelp("Seconds a peer may take to finish a packet or admin line it started.", valueName: "SECONDS"))
    var frameTimeout = 30

    @Option(name: .long, help: ArgumentHelp("Unread response bytes after which a peer is disconnected; must exceed --max-packet-size.", valueName: "BYTES"))
    var maxPendingOutput = 2 * (64 << 20)

    @Option(name: .long, help: ArgumentHelp("Log level: trace, debug, info, notice, warning, error, critical.", valueName: "LEVEL"))
    var logLevel: Logger.Level = .info

    @Flag(name: .long, help: "Show version.")
    var version = false

    func validate() throws {
        let pending: [(String, Bool)] = [
            ("--log-config", logConfig != nil)
        ]
        if let (flag, _) = pending.first(where: \.1) {
            throw ValidationError("\(flag) is not yet supported by this version of geard")
        }
        guard (1...65535).contains(port) || port == 0 else { throw ValidationError("port \(port) is out of range") }
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1") }
        guard maxConnections.map({ $0 >= 1 }) ?? true else { throw ValidationError("--max-connections must be at least 1") }
        guard frameTimeout >= 1 else { throw ValidationError("--frame-timeout must be at least 1 second") }
        guard maxPendingOutput > maxPacketSize else { throw ValidationError("--max-pending-output must exceed --max-packet-size") }
        guard (sslCert == nil) == (sslKey == nil) else { throw ValidationError("--ssl-cert and --ssl-key go together") }
        guard sslCert != nil || (sslCA == nil && sslPort == nil) else {
            throw ValidationError("--ssl-ca and --ssl-port need --ssl-cert and --ssl-key")
        }
    }

    func run() throws {
        if version {
            print("geard \(GearmanServer.version)")
            return
        }
        // A bad ACL file stops geard here, before it detaches or serves anyone, with the line at fault.
        let accessControl = try acl.map(AccessControlList.init(contentsOfFile:))
        if !foreground { try Daemon.detach() }
        var configuration = ServerConfiguration(host: listenAddress, port: port, threads: threads, maximumPacketSize: maxPacketSize, jobRetries: jobRetries)
        if let sslCert, let sslKey {
            configuration.tls = .init(port: sslPort, certificateChain: sslCert, privateKey: sslKey, clientCA: sslCA)
        }
        configuration.accessControl = accessControl
        configuration.maximumConnections = maxConnections
        configuration.frameTimeout = .seconds(Int64(frameTimeout))
        configuration.maximumPendingOutput = maxPendingOutput
        if keepalive {
            configuration.keepalive = .init(idle: keepaliveIdle, interval: keepaliveInterval, count: keepaliveCount)
        }
        let level = logLevel
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let service = GeardService(
            server: GearmanServer(configuration: configuration, logger: Logger(label: "geard")), pidfile: pidfile.map(PIDFile.init),
            aclPath: acl
        )
        try runBlocking { try await service.runUntilStopped() }
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}

/// Runs async work from the synchronous entry point, which must stay synchronous so `fork` happens before
/// any thread exists.
private func runBlocking(_ body: @escaping @Sendable () async throws -> Void) throws {
    let outcome = LockedResult()
    let done = DispatchSemaphore(value: 0)
    Task {
        do { try await body() } catch { outcome.error = error }
        done.signal()
    }
    done.wait()
    if let error = outcome.error { throw error }
}

private final class LockedResult: @unchecked Sendable {
    // Written by the task before it signals, read after the wait: the semaphore orders the accesses.
    var error: Error?
}
