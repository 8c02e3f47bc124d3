import ArgumentParser
import Foundation
import GearmanLogging
import GearmanServer
import Logging
import NIOCore
import ServiceLifecycle

/// `geard`: the Gearman job server. Flags follow the seed's `geard --help`, plus gearmand-style extras.
@main
struct Geard: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "geard",
        abstract: "Gearman job server, wire compatible with gearmand.",
        discussion: """
            Without -d, geard detaches from the terminal and runs as a daemon, keeping only the standard streams \
            its logging writes to. Set STATSD_HOST, STATSD_PORT (default 8125) and STATSD_PREFIX to send metrics \
            to statsd.
            """
    )

    @Flag(name: .customShort("d"), help: "Do not run as a daemon (stay in the foreground).")
    var foreground = false

    @Option(name: [.customShort("p"), .long], help: "Port on which to listen.")
    var port = 4730

    @Option(name: .long, help: "IP address or domain name to listen on.")
    var listenAddress = "0.0.0.0"

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Logging config file in Python's logging.config INI format (StreamHandler, FileHandler, TimedRotatingFileHandler).",
            valueName: "LOG_CONFIG"
        )
    )
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

    @Option(
        name: .long,
        help: "Event loop threads (default: one per core). Scheduling and plain connections run on the first; TLS connections spread over all."
    )
    var threads: Int?

    @Option(name: [.customShort("j"), .long], help: "Attempts a job gets before it is failed when its workers vanish or time out (0: no limit).")
    var jobRetries = 0

    @Option(name: .long, help: "Largest accepted packet body, bytes.")
    var maxPacketSize = 64 << 20

    @Option(name: .long, help: "Where background jobs are kept: sqlite (durable, the default), postgres (durable, shared by several servers) or memory.")
    var queue: QueueKind = .sqlite

    @Option(name: .long, help: ArgumentHelp("SQLite queue file (default: $XDG_STATE_HOME/geard/queue.sqlite, else ./geard-queue.sqlite).", valueName: "PATH"))
    var queuePath: String?

    @Option(name: .long, help: "SQLite durability: normal survives a crash of geard, full also a crash of the machine (fsync per commit).")
    var queueSync: SQLiteQueueStore.Synchronous = .normal

    @Option(name: .long, help: ArgumentHelp("PostgreSQL queue: postgres://user:password@host:port/database.", valueName: "URL"))
    var queueURL: String?

    @Option(name: .long, help: ArgumentHelp("PostgreSQL queue: this server's name among those sharing the database (default: <host>:<port>).", valueName: "NAME"))
    var queueServerName: String?

    @Option(name: .long, help: ArgumentHelp("PostgreSQL queue: heartbeat interval; a server silent for 3 intervals has its jobs run by the others.", valueName: "SECONDS"))
    var queueHeartbeat = 2.0

    @Option(
        name: .long,
        help: ArgumentHelp(
            "SQLite queue: queued background jobs per function and priority held in memory with their payloads; the rest wait in the file and are read back as the queue moves (0: hold all).",
            valueName: "JOBS"
        )
    )
    var queuedJobsInMemory = ServerConfiguration().queuedJobsInMemory

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Keep the final status and result of background jobs this long, readable with the admin command 'result HANDLE' (gear result): seconds, or with s, m, h or d (90s, 15m, 2h, 7d).",
            valueName: "DURATION"
        ),
        transform: RetentionDuration.init(parsing:)
    )
    var keepResults: RetentionDuration?

    @Option(
        name: .long,
        help: ArgumentHelp("Log level to standard error when there is no --log-config. (default: info)", valueName: "LEVEL")
    )
    var logLevel: Logger.Level?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Serve Prometheus /metrics, the dashboard (/) and /api/status over HTTP on this address, e.g. 127.0.0.1:9100.",
            valueName: "HOST:PORT"
        )
    )
    var metricsAddress: HostAndPort?

    @Option(
        name: .long,
        help: "On SIGTERM, SIGINT or 'shutdown graceful': seconds to wait for running jobs to finish before stopping."
    )
    var drainTimeout = 30

    @Option(name: .long, help: "Connections served at once; more are refused with an ERROR packet (default: no limit).")
    var maxConnections: Int?

    @Option(name: .long, help: ArgumentHelp("Seconds a peer may take to finish a packet or admin line it started.", valueName: "SECONDS"))
    var frameTimeout = 30

    @Option(name: .long, help: ArgumentHelp("Unread response bytes after which a peer is disconnected; must exceed --max-packet-size.", valueName: "BYTES"))
    var maxPendingOutput = 2 * (64 << 20)

    @Flag(name: .long, help: "Show version.")
    var version = false

    func validate() throws {
        guard (1...65535).contains(port) || port == 0 else { throw ValidationError("port \(port) is out of range") }
        guard threads.map({ $0 >= 1 }) ?? true else { throw ValidationError("--threads must be at least 1") }
        guard drainTimeout >= 0 else { throw ValidationError("--drain-timeout must not be negative") }
        guard maxConnections.map({ $0 >= 1 }) ?? true else { throw ValidationError("--max-connections must be at least 1") }
        guard frameTimeout >= 1 else { throw ValidationError("--frame-timeout must be at least 1 second") }
        guard maxPendingOutput > maxPacketSize else { throw ValidationError("--max-pending-output must exceed --max-packet-size") }
        guard (sslCert == nil) == (sslKey == nil) else { throw ValidationError("--ssl-cert and --ssl-key go together") }
        guard sslCert != nil || (sslCA == nil && sslPort == nil) else {
            throw ValidationError("--ssl-ca and --ssl-port need --ssl-cert and --ssl-key")
        }
        if logConfig != nil, logLevel != nil { throw ValidationError("--log-level applies only without --log-config") }
        if (queue == .postgres) != (queueURL != nil) { throw ValidationError("--queue postgres needs --queue-url, and only it takes one") }
        guard queuedJobsInMemory >= 0 else { throw ValidationError("--queued-jobs-in-memory must not be negative") }
        guard queueHeartbeat > 0 else { throw ValidationError("--queue-heartbeat must be positive") }
    }

    /// The logging configuration: the --log-config file, or --log-level to standard error.
    private func loggingConfiguration() throws -> LogConfiguration {
        guard let logConfig else { return .standardError(level: logLevel ?? .info) }
        return try LogConfiguration(contentsOfFile: logConfig)
    }

    func run() throws {
        if version {
            print("geard \(GearmanServer.version)")
            return
        }
        // Files are opened before detaching, so a configuration that cannot work fails on the terminal.
        let logOutputs = try LogOutputs(loggingConfiguration())
        // A bad ACL file stops geard here too, with the line at fault.
        let accessControl = try acl.map(AccessControlList.init(contentsOfFile:))
        // Logging to a closed terminal or pipe must fail the write, not kill the server.
        signal(SIGPIPE, SIG_IGN)
        if !foreground { try Daemon.detach(keeping: logOutputs.standardDescriptors) }
        LoggingSystem.bootstrap(logOutputs.makeHandler)
        var configuration = ServerConfiguration(host: listenAddress, port: port, threads: threads ?? System.coreCount, maximumPacketSize: maxPacketSize, jobRetries: jobRetries)
        if let sslCert, let sslKey {
            configuration.tls = .init(port: sslPort, certificateChain: sslCert, privateKey: sslKey, clientCA: sslCA)
        }
        configuration.accessControl = accessControl
        configuration.maximumConnections = maxConnections
        configuration.frameTimeout = .seconds(Int64(frameTimeout))
        configuration.maximumPendingOutput = maxPendingOutput
        configuration.keepResults = keepResults?.amount
        configuration.queuedJobsInMemory = queuedJobsInMemory
        if keepalive {
            configuration.keepalive = .init(idle: keepaliveIdle, interval: keepaliveInterval, count: keepaliveCount)
        }
        let store: QueueStore?
        do {
            store = try queueStore(handleHost: configuration.handleHost)
        } catch {
            // Detached, the terminal is gone: the log is where the reason shows.
            if !foreground { Logger(label: "gear.Server").critical("cannot open the queue", metadata: ["error": "\(error)"]) }
            throw error
        }
        let (address, pidfile, serverConfiguration, drainTimeout, aclPath) = (
            metricsAddress, pidfile.map(PIDFile.init), configuration, TimeAmount.seconds(Int64(drainTimeout)), acl
        )
        try runBlocking {
            let monitoring = try await Monitoring.start(address: address, environment: ProcessInfo.processInfo.environment)
            let server = GearmanServer(
                configuration: serverConfiguration, queueStore: store, logger: Logger(label: "gear.Server"),
                metricsFactory: monitoring.metricsFactory
            )
            try await GeardService(server: server, monitoring: monitoring, pidfile: pidfile, drainTimeout: drainTimeout, aclPath: aclPath)
                .runUntilStopped()
        }
    }

    /// The `--queue` store, opened.
    private func queueStore(handleHost: String) throws -> QueueStore? {
        switch queue {
        case .memory: return nil
        case .sqlite:
            return try SQLiteQueueStore(path: queuePath ?? Self.defaultQueuePath(), synchronous: queueSync, logger: Logger(label: "gear.Queue"))
        case .postgres:
            let postgres = try PostgresQueueStore.Configuration(
                url: queueURL ?? "", serverName: queueServerName ?? "\(handleHost):\(port)",
                heartbeatInterval: .nanoseconds(Int64(queueHeartbeat * 1e9))
            )
            return try PostgresQueueStore(configuration: postgres, logger: Logger(label: "gear.Queue"))
        }
    }
}

extension Geard {
    enum QueueKind: String, ExpressibleByArgument, CaseIterable {
        case sqlite
        case postgres
        case memory
    }

    static func defaultQueuePath() throws -> String {
        guard let state = ProcessInfo.processInfo.environment["XDG_STATE_HOME"], !state.isEmpty else {
            return "geard-queue.sqlite"
        }
        let directory = state + "/geard"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        return directory + "/queue.sqlite"
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
extension SQLiteQueueStore.Synchronous: ExpressibleByArgument {}

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
