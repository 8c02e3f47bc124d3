import CoreMetrics
import GearmanProtocol
import Logging
import NIOCore

/// The job server's state: functions, jobs and connected peers. Every method runs on ``loop``, so no locks;
/// that confinement is why it (and ``Job``, ``FunctionQueue``) may be `@unchecked Sendable`.
///
/// Packets arrive through ``handle(_:from:)``; responses are encoded into each connection's output buffer and
/// flushed once per event-loop tick, however many packets a tick produced.
final class Scheduler: @unchecked Sendable {
    let loop: EventLoop
    let configuration: ServerConfiguration
    let logger: Logger
    /// Called when an admin asks the server to shut down (`true`: graceful).
    let requestShutdown: @Sendable (Bool) -> Void

    var functions: [ByteBuffer: FunctionQueue] = [:]
    var jobsByHandle: [ByteBuffer: Job] = [:]
    var connections: [Int: ServerConnection] = [:]
    /// In force when set: see `Scheduler+AccessControl.swift`. Admin `acl` commands and reloads change it.
    var accessControl: AccessControlList?
    /// The durable queue for background jobs; `nil` keeps them in memory only.
    let durable: DurableQueue?
    /// Claims jobs for idle workers when the queue store is shared by several servers.
    let sharedQueue: SharedQueue?
    /// Where cold jobs are read back from; `nil` keeps every queued job in memory. See `Scheduler+ColdJobs.swift`.
    let coldStore: ReadableQueueStore?
    /// The ids of the cold jobs held by id only (not ``FunctionQueue/parked``).
    var coldIDs = Set<UInt64>()
    /// Keeps the outcome of background jobs; `nil` without ``ServerConfiguration/keepResults``.
    let results: ResultKeeper?
    /// `nil` when no metrics backend is configured.
    let metrics: ServerMetrics?
    var throughput = ThroughputHistory()
    /// Graceful shutdown progress; see ``beginDrain(timeout:)``.
    var drainState = DrainState.serving
    private var nextHandleNumber: UInt64 = 0
    private var nextConnectionID = 0
    let handlePrefix: String
    private var connectionsToFlush: [ServerConnection] = []

    init(
        loop: EventLoop, configuration: ServerConfiguration, logger: Logger,
        queueStore: QueueStore?, metricsFactory: any MetricsFactory, requestShutdown: @escaping @Sendable (Bool) -> Void
    ) {
        self.loop = loop
        self.configuration = configuration
        self.logger = logger
        self.requestShutdown = requestShutdown
        self.metrics = metricsFactory is NOOPMetricsHandler ? nil : ServerMetrics(factory: metricsFactory)
        self.handlePrefix = "H:\(configuration.handleHost):"
        self.accessControl = configuration.accessControl
        self.durable = queueStore.map { DurableQueue(store: $0, loop: loop, logger: logger) }
        self.sharedQueue = durable.flatMap { durable in
            (durable.store as? SharedQueueStore).map { SharedQueue(store: $0, durable: durable, loop: loop, logger: logger) }
        }
        // A shared store's jobs may be claimed by other servers; this server holds few of them anyway.
        self.coldStore = configuration.queuedJobsInMemory > 0 && !(queueStore is SharedQueueStore) ? queueStore as? ReadableQueueStore : nil
        self.results = configuration.keepResults.map { [durable] retention in
            ResultKeeper(retention: retention, clock: configuration.clock, loop: loop, durable: durable, logger: logger)
        }
        durable?.onCommitted = { [unowned self] jobs, error in self.persisted(jobs, error: error) }
        connectSharedQueue()
    }

    // MARK: Connections

    func connected(_ connection: ServerConnection) {
        nextConnectionID += 1
        connection.id = nextConnectionID
        connections[connection.id] = connection
        logger.debug("connected", metadata: ["connection": "\(connection.id)", "peer": "\(connection.peerAddress)"])
    }

    func disconnected(_ connection: ServerConnection) {
        guard connections.removeValue(forKey: connection.id) != nil else { return }
        connection.isClosed = true
        logger.debug("disconnected", metadata: ["connection": "\(connection.id)"])
        for job in Array(connection.waitingJobs.values) {
            job.removeClient(connection)
            if !job.isBackground, job.clients.isEmpty, job.state == .queued || job.state == .scheduled {
                logger.debug("dropping foreground job whose clients left", metadata: ["handle": "\(job.handle.string)"])
                remove(job)
            }
        }
        connection.waitingJobs.removeAll()
        for job in Array(connection.runningJobs.values) {
            requeueOrFail(job, reason: "worker disconnected")
        }
        connection.runningJobs.removeAll()
        removeAllAbilities(of: connection)
    }

    // MARK: Output

    func send(_ connection: ServerConnection, _ type: PacketType, _ arguments: ByteBuffer...) {
        guard !connection.isClosed else { return }
        connection.write { $0.writePacket(.response, type, arguments: arguments) }
        scheduleFlush(connection)
    }

    func sendText(_ connection: ServerConnection, _ text: String) {
        guard !connection.isClosed else { return }
        connection.write { $0.writeString(text) }
        scheduleFlush(connection)
    }

    /// Refuses a request with an ERROR packet.
    func sendError(_ connection: ServerConnection, code: String, _ message: String) {
        logger.warning("refused", metadata: ["connection": "\(connection.id)", "code": "\(code)", "reason": "\(message)"])
        send(connection, .error, ByteBuffer(string: code), ByteBuffer(string: message))
    }

    /// Sends JOB_CREATED, or the ERROR `refusal`, for a background job whose commit `client` waited for, in
    /// the place of its submit among the client's responses.
    func acknowledge(_ job: Job, to client: ServerConnection, refusal: (code: String, message: String)? = nil) {
        guard !client.isClosed else { return }
        client.acknowledge(job) { output in
            if let refusal {
                output.writePacket(.response, .error, ByteBuffer(string: refusal.code), ByteBuffer(string: refusal.message))
            } else {
                output.writePacket(.response, .jobCreated, job.handle)
            }
        }
        scheduleFlush(client)
    }

    private func scheduleFlush(_ connection: ServerConnection) {
        guard !connection.hasPendingFlush else { return }
        connection.hasPendingFlush = true
        if connectionsToFlush.isEmpty {
            loop.execute { self.flushAll() }
        }
        connectionsToFlush.append(connection)
    }

    /// Writes every connection's pending output: directly for channels on this loop, and in one hop per other
    /// loop for the rest (a write from a foreign loop would otherwise cost a hop per channel).
    private func flushAll() {
        let pending = connectionsToFlush
        connectionsToFlush.removeAll(keepingCapacity: true)
        var foreign: [ObjectIdentifier: (loop: EventLoop, writes: [(Channel, ByteBuffer)])] = [:]
        for connection in pending {
            connection.hasPendingFlush = false
            guard !connection.isClosed, connection.output.readableBytes > 0 else { continue }
            let bytes = connection.output
            connection.output = connection.channel.allocator.buffer(capacity: 0)
            let channelLoop = connection.channel.eventLoop
            if channelLoop === loop {
                connection.channel.writeAndFlush(bytes, promise: nil)
            } else {
                foreign[ObjectIdentifier(channelLoop), default: (channelLoop, [])].writes.append((connection.channel, bytes))
            }
        }
        for (channelLoop, writes) in foreign.values {
            channelLoop.execute {
                for (channel, bytes) in writes { channel.writeAndFlush(bytes, promise: nil) }
            }
        }
    }

    // MARK: Functions and jobs

    func function(named name: ByteBuffer) -> FunctionQueue {
        if let existing = functions[name] { return existing }
        let function = FunctionQueue(name: ByteBuffer(buffer: name))
        functions[function.name] = function
        return function
    }

    /// A fresh job id, the number in its handle.
    func makeJobID() -> UInt64 {
        nextHandleNumber += 1
        return nextHandleNumber
    }

    /// This server's handle of job `id`: `H:<host>:<id>`.
    func handle(ofJob id: UInt64) -> String {
        handlePrefix + String(id)
    }

    /// The id in `H:<host>:<id>`. The host must be this server's unless the store is shared, where every
    /// server's ids are distinct and a job may have been submitted to any of them.
    func jobID(inHandle handle: String) -> UInt64? {
        guard handle.hasPrefix(sharedQueue == nil ? handlePrefix : "H:"), let colon = handle.lastIndex(of: ":") else { return nil }
        let number = handle[handle.index(after: colon)...]
        guard let id = UInt64(number), String(id) == number else { return nil }
        return id
    }

    /// Makes sure new handles come after `id` (a recovered job's).
    func reserveHandles(through id: UInt64) {
        nextHandleNumber = max(nextHandleNumber, id)
    }

    /// Forgets a job that is not running: takes it out of its queue or the timers and every index.
    func remove(_ job: Job) {
        if job.isBackground, job.state != .persisting, job.state != .gone { durable?.remove(job) }
        switch job.state {
        case .persisting:
            job.function.persistingCount -= 1
            let waiters = job.acknowledgementWaiters
            job.acknowledgementWaiters = []
            for client in waiters { acknowledge(job, to: client, refusal: ("JOB_REMOVED", "the job was removed before it was stored")) }
        case .queued:
            job.function.cancelQueued(job)
            loadColdJobsIfLow(job.function, job.priority)
        case .scheduled:
            job.function.scheduledCount -= 1
            job.timer?.cancel()
        case .running:
            recordEnded(job)
            job.function.runningCount -= 1
            job.timer?.cancel()
            job.worker?.runningJobs[ObjectIdentifier(job)] = nil
            job.worker = nil
            drainProgressed()
        case .gone: return
        }
        job.state = .gone
        jobsByHandle[job.handle] = nil
        if let key = job.coalescingKey, job.function.jobsByUnique[key] === job {
            job.function.jobsByUnique[key] = nil
        }
        for client in job.clients { client.waitingJobs[ObjectIdentifier(job)] = nil }
        job.clients.removeAll()
    }
}

extension ByteBuffer {
    /// The readable bytes as UTF-8, invalid sequences replaced; for logs and admin output.
    var string: String { String(decoding: readableBytesView, as: UTF8.self) }
}
