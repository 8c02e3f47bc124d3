import GearmanProtocol
import Logging
import NIOCore
import NIOPosix
import Synchronization

/// Submits jobs to one or more job servers, placing them round-robin on the connected ones.
///
/// ```swift
/// let client = GearmanClient(servers: [ServerAddress(host: "127.0.0.1")])
/// try await client.waitForServer(timeout: .seconds(5))
/// let job = try await client.submit("reverse", payload: "hello")
/// print(try await job.result(as: String.self))   // "olleh"
/// await client.shutdown()
/// ```
public final class GearmanClient: GearmanServerSet {
    /// Client-wide settings.
    public struct Configuration: Sendable {
        /// Sent as SET_CLIENT_ID; shows in the server's `workers` listing.
        public var clientID: String?
        /// Ask servers to forward WORK_EXCEPTION (OPTION_REQ `exceptions`); otherwise exceptions arrive as failures.
        public var exceptions: Bool
        public var backoff: Backoff
        /// Encodes and decodes `Codable` payloads.
        public var coder: any PayloadCoder
        public var eventLoopGroup: any EventLoopGroup
        public var logger: Logger

        public init(
            clientID: String? = nil,
            exceptions: Bool = true,
            backoff: Backoff = Backoff(),
            coder: any PayloadCoder = JSONPayloadCoder(),
            eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
            logger: Logger = Logger(label: "gearman.client")
        ) {
            self.clientID = clientID
            self.exceptions = exceptions
            self.backoff = backoff
            self.coder = coder
            self.eventLoopGroup = eventLoopGroup
            self.logger = logger
        }
    }

    public let configuration: Configuration
    /// The connections to ``servers``.
    public let connectionPool: ConnectionPool
    /// Foreground jobs by connection and handle (one handle can serve several coalesced submits).
    private let jobs = Mutex([ObjectIdentifier: [String: [GearmanJob]]]())

    /// Creates a client and starts connecting to `servers` in the background.
    public init(servers: [ServerAddress] = [], configuration: Configuration = Configuration()) {
        self.configuration = configuration
        self.connectionPool = ConnectionPool(eventLoopGroup: configuration.eventLoopGroup, backoff: configuration.backoff, logger: configuration.logger)
        connectionPool.start(servers: servers, reportingTo: self)
    }

    /// Submits a job and returns once a server accepted it.
    ///
    /// If the chosen server dies before JOB_CREATED, the job goes to the next connected server. Throws
    /// ``GearmanError/noConnectedServer``, the server's ERROR, or ``GearmanError/timeout`` if the request's timeout
    /// passes before any server accepted the job; `CancellationError` if the task is cancelled before then.
    nonisolated(nonsending) public func submit(_ request: JobRequest) async throws -> GearmanJob {
        let job = start(request)
        try await job.waitUntilAccepted()
        return job
    }

    /// Submits a job and returns its result, as PHP's `doNormal`: `submit(_:)` and ``GearmanJob/result`` in one call,
    /// which wakes the calling task once instead of twice. A background request returns an empty result once accepted.
    ///
    /// ```swift
    /// let reversed = try await String(payload: client.call("reverse", payload: "hello"))
    /// ```
    nonisolated(nonsending) public func call(_ request: JobRequest) async throws -> ByteBuffer {
        try await start(request).result
    }

    /// Submits `payload` to `function`. See ``JobRequest`` for the options.
    nonisolated(nonsending) public func submit(
        _ function: String,
        payload: some PayloadConvertible = ByteBuffer(),
        priority: JobPriority = .normal,
        background: Bool = false,
        unique: String = "",
        timeout: Duration? = nil,
        maxRetries: Int = 0
    ) async throws -> GearmanJob {
        try await submit(JobRequest(
            function, payload: payload, priority: priority, background: background, unique: unique,
            timeout: timeout, maxRetries: maxRetries))
    }

    /// Submits a foreground job of `payload` to `function` and returns its result. See ``call(_:)``.
    nonisolated(nonsending) public func call(
        _ function: String,
        payload: some PayloadConvertible = ByteBuffer(),
        priority: JobPriority = .normal,
        unique: String = "",
        timeout: Duration? = nil,
        maxRetries: Int = 0
    ) async throws -> ByteBuffer {
        try await call(JobRequest(function, payload: payload, priority: priority, unique: unique, timeout: timeout, maxRetries: maxRetries))
    }

    /// Submits `value` encoded with the configured ``PayloadCoder``.
    public func submit(_ function: String, encoding value: some Encodable, priority: JobPriority = .normal, background: Bool = false) async throws -> GearmanJob {
        try await submit(JobRequest(function, payload: try configuration.coder.encode(value), priority: priority, background: background))
    }

    /// Asks the job's server for its status (GET_STATUS).
    public func status(of job: GearmanJob) async throws -> JobStatus {
        guard let handle = job.handle, let connection = job.connection else {
            return JobStatus(id: job.handle ?? "", isKnown: false, isRunning: false, progress: JobProgress(numerator: 0, denominator: 0))
        }
        return try await status(of: .handle(handle), on: connection)
    }

    /// Asks every connected server for a job by handle (GET_STATUS) or unique id (GET_STATUS_UNIQUE);
    /// returns the first answer that knows the job, else an unknown status.
    public func status(of id: JobID) async throws -> JobStatus {
        let connections = connectionPool.connected
        guard !connections.isEmpty else { throw GearmanError.noConnectedServer }
        var answer: JobStatus?
        for connection in connections {
            let status = try await status(of: id, on: connection)
            if status.isKnown { return status }
            answer = answer ?? status
        }
        return answer!
    }

    /// Sends ECHO_REQ to the next connected server and returns its echo. Throws ``GearmanError/noConnectedServer``, or
    /// ``GearmanError/connectionLost`` when that server is lost before it answers.
    public func echo(_ payload: some PayloadConvertible) async throws -> ByteBuffer {
        guard let connection = connectionPool.next() else { throw GearmanError.noConnectedServer }
        let reply = try await connection.request(Packet(.request, .echoReq, [payload.payload]))
        guard reply.type == .echoRes else { throw Self.unexpected(reply) }
        return reply.arguments[0]
    }

    /// Closes every connection. Jobs in flight fail with ``GearmanError/connectionLost``.
    public func shutdown() async {
        await connectionPool.shutdown()
    }

    // MARK: Internals

    /// Starts the job's timeout and sends it to a server.
    private func start(_ request: JobRequest) -> GearmanJob {
        let job = GearmanJob(request: request, client: self)
        if let timeout = request.timeout {
            job.setTimer(configuration.eventLoopGroup.any().scheduleTask(in: TimeAmount(timeout)) {
                job.finish(.failure(.timeout))
            })
        }
        place(job)
        return job
    }

    /// Sends the job to the next connected server not in `lost`, in round-robin order; the server's answer comes to
    /// ``submission(of:answered:on:)``. No server left fails the job.
    private func place(_ job: GearmanJob, avoiding lost: Set<ObjectIdentifier> = []) {
        guard let connection = connectionPool.next(excluding: lost) else {
            job.finish(.failure(.noConnectedServer))
            return
        }
        connection.sendRequest(job, to: job)
    }

    /// The answer to a job's submit, on its server's event loop: JOB_CREATED tracks the job, ERROR fails it, and a
    /// server lost before it answered sends the job to the next server.
    func submission(of job: GearmanJob, answered reply: Result<Packet, any Error>, on connection: ServerConnection) {
        switch reply {
        case .success(let reply) where reply.type == .jobCreated:
            track(job, handle: reply.string(0), on: connection)
        case .success(let reply):
            job.finish(.failure(Self.unexpected(reply)))
        case .failure:
            place(job, avoiding: job.serverLost(connection))
        }
    }

    /// Runs on the connection's event loop as JOB_CREATED arrives, before any WORK_* for the handle.
    private func track(_ job: GearmanJob, handle: String, on connection: ServerConnection) {
        if !job.request.background {
            jobs.withLock { $0[ObjectIdentifier(connection), default: [:]][handle, default: []].append(job) }
        }
        job.accepted(handle: handle, on: connection)
    }

    private func status(of id: JobID, on connection: ServerConnection) async throws -> JobStatus {
        let reply = try await connection.request(id.statusPacket)
        guard let status = JobStatus(reply) else { throw Self.unexpected(reply) }
        return status
    }

    /// A job failed: retry it if it may, else finish it.
    private func failed(_ job: GearmanJob, _ error: GearmanError) {
        guard job.beginRetry(after: error) else {
            job.finish(.failure(error))
            return
        }
        place(job)
    }

    static func unexpected(_ packet: Packet) -> GearmanError {
        if packet.type == .error { return .serverError(code: packet.string(0), message: packet.string(1)) }
        return .protocolError("unexpected \(packet.type)")
    }
}

extension GearmanClient: ServerConnectionDelegate {
    func connectionEstablished(_ connection: ServerConnection) {
        if let clientID = configuration.clientID {
            connection.sendAndForget(Packet(.request, .setClientID, [clientID]))
        }
        if configuration.exceptions {
            // Checked: a server that does not know the option answers ERROR, which must not fail the next submit.
            connection.sendChecked(Packet(.request, .optionReq, ["exceptions"])).whenFailure { error in
                guard (error as? GearmanError)?.code == .serverError else { return }
                self.configuration.logger.warning("option refused", metadata: ["gearman.server": "\(connection.address)", "error": "\(error)"])
            }
        }
    }

    func connectionLost(_ connection: ServerConnection) {
        let lost = jobs.withLock { $0.removeValue(forKey: ObjectIdentifier(connection)) } ?? [:]
        lost.values.joined().forEach { failed($0, .connectionLost) }
    }

    func connection(_ connection: ServerConnection, received packet: Packet) {
        switch packet.type {
        case .workData, .workWarning, .workStatus, .workComplete, .workFail, .workException:
            let handle = packet.string(0)
            let isFinal = packet.type == .workComplete || packet.type == .workFail || packet.type == .workException
            let targets = jobs.withLock { jobs -> [GearmanJob] in
                let key = ObjectIdentifier(connection)
                return (isFinal ? jobs[key]?.removeValue(forKey: handle) : jobs[key]?[handle]) ?? []
            }
            for job in targets {
                if let error = job.apply(packet) { failed(job, error) }
            }
        case .error:
            configuration.logger.warning("server error", metadata: ["code": "\(packet.string(0))", "message": "\(packet.string(1))"])
        default:
            break
        }
    }
}
