import GearmanProtocol
import Logging
import NIOCore
import NIOPosix
import Synchronization

/// Takes jobs from one or more job servers and runs them, several at a time if asked.
///
/// ```swift
/// let worker = GearmanWorker(servers: [ServerAddress(host: "127.0.0.1")])
/// worker.register("reverse") { job in String(try job.payload(as: String.self).reversed()) }
/// try await worker.run(concurrency: 4)    // until worker.stop()
/// ```
///
/// Callers that want their own loop register functions without handlers and use ``nextJob()``.
public final class GearmanWorker: GearmanServerSet {
    /// Worker-wide settings.
    public struct Configuration: Sendable {
        /// Sent as SET_CLIENT_ID; shows in the server's `workers` listing.
        public var workerID: String?
        /// How registration timeouts are sent: `.milliseconds` for gearmand, which reads CAN_DO_TIMEOUT so.
        public var timeoutUnit: FunctionRegistration.TimeoutUnit
        public var backoff: Backoff
        /// Encodes and decodes `Codable` payloads.
        public var coder: any PayloadCoder
        public var eventLoopGroup: any EventLoopGroup
        public var logger: Logger

        public init(
            workerID: String? = nil,
            timeoutUnit: FunctionRegistration.TimeoutUnit = .seconds,
            backoff: Backoff = Backoff(),
            coder: any PayloadCoder = JSONPayloadCoder(),
            eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
            logger: Logger = Logger(label: "gearman.worker")
        ) {
            self.workerID = workerID
            self.timeoutUnit = timeoutUnit
            self.backoff = backoff
            self.coder = coder
            self.eventLoopGroup = eventLoopGroup
            self.logger = logger
        }
    }

    private typealias Machine = WorkerStateMachine<ServerConnection, Int, WorkerJob>

    private struct State {
        var machine = Machine()
        var waiters: [Int: UnsafeContinuation<WorkerJob?, Never>] = [:]
        var nextWaiter = 0
        var functions: [String: FunctionRegistration] = [:]
        var connections: [ObjectIdentifier: ServerConnection] = [:]
    }

    public let configuration: Configuration
    /// The connections to ``servers``.
    public let connectionPool: ConnectionPool
    private let state = Mutex(State())

    /// Creates a worker and starts connecting to `servers` in the background.
    public init(servers: [ServerAddress] = [], configuration: Configuration = Configuration()) {
        self.configuration = configuration
        self.connectionPool = ConnectionPool(eventLoopGroup: configuration.eventLoopGroup, backoff: configuration.backoff, logger: configuration.logger)
        connectionPool.start(servers: servers, reportingTo: self)
    }

    // MARK: Functions

    /// Registers (or replaces) a function. `timeout` is the server-side CAN_DO_TIMEOUT.
    ///
    /// Returns at once. A server may refuse the function (geard with an ACL answers ERROR PERMISSION_DENIED): the
    /// refusal is logged at warning level, on that server only; the function stays registered for the servers
    /// that accept it and is offered again on every reconnect. Await ``register(_:)`` to learn of refusals.
    public func register(_ name: String, timeout: Duration? = nil, handler: FunctionRegistration.Handler? = nil) {
        _ = sendRegistration(FunctionRegistration(name, timeout: timeout, handler: handler))
    }

    /// Registers (or replaces) a function and returns once every connected server accepted it. Throws the first
    /// refusal as ``GearmanError/Code/serverError`` (e.g. `PERMISSION_DENIED`) or ``GearmanError/connectionLost``,
    /// or `CancellationError` when the task is cancelled first; the function stays registered all the same, as with
    /// ``register(_:timeout:handler:)``.
    ///
    /// ```swift
    /// try await worker.register(FunctionRegistration("reverse") { job in String(try job.payload(as: String.self).reversed()) })
    /// ```
    public func register(_ registration: FunctionRegistration) async throws {
        for answer in sendRegistration(registration) { try await answer.valueUnlessCancelled() }
    }

    private func sendRegistration(_ registration: FunctionRegistration) -> [EventLoopFuture<Void>] {
        let connections = state.withLock { state in
            state.functions[registration.name] = registration
            return Array(state.connections.values)
        }
        return connections.map { canDo(registration, on: $0) }
    }

    /// Stops taking jobs of a function (CANT_DO).
    public func unregister(_ name: String) {
        let connections = state.withLock { state in
            state.functions[name] = nil
            return Array(state.connections.values)
        }
        connections.forEach { $0.sendAndForget(Packet(.request, .cantDo, [name])) }
    }

    /// Replaces the whole set of functions (RESET_ABILITIES, then CAN_DO for each).
    public func setFunctions(_ functions: [FunctionRegistration]) {
        let connections = state.withLock { state in
            state.functions = Dictionary(functions.map { ($0.name, $0) }, uniquingKeysWith: { $1 })
            return Array(state.connections.values)
        }
        for connection in connections {
            connection.sendAndForget(Packet(.request, .resetAbilities))
            functions.forEach { _ = canDo($0, on: connection) }
        }
    }

    /// The registered function names.
    public var functions: [String] { state.withLock { $0.functions.keys.sorted() } }

    // MARK: Taking jobs

    /// Waits for the next job from any server. Returns `nil` after ``stop()``, ``stopWaitingForJobs()``
    /// or when the calling task is cancelled. The caller must finish the job (complete, fail or exception).
    ///
    /// ```swift
    /// worker.register("resize")
    /// while let job = try await worker.nextJob() {
    ///     try await job.complete(resize(job.payload))
    /// }
    /// ```
    nonisolated(nonsending) public func nextJob() async -> WorkerJob? {
        let id = newWaiter()
        return await withTaskCancellationHandler {
            await waitForJob(as: id)
        } onCancel: {
            perform(state.withLock { $0.machine.waiterLeft(id) })
        }
    }

    /// Makes the callers currently waiting in ``nextJob()`` return `nil`; the worker keeps running.
    public func stopWaitingForJobs() {
        perform(state.withLock { $0.machine.interrupt() })
    }

    /// Runs registered handlers, `concurrency` jobs at a time, until ``stop()``; then waits for running jobs
    /// and disconnects. Cancelling the calling task stops the worker too (running handlers see the cancellation).
    ///
    /// With an `executor` (an ``EventLoopExecutor`` on the worker's single event loop), the job loop and the
    /// handlers run there and a job costs no thread hop; handlers must not block then. While jobs come one at a time,
    /// the worker then also announces its sleep (PRE_SLEEP) in the same write as each result, instead of asking with
    /// GRAB_JOB for a next job the server does not have.
    public func run(concurrency: Int = 1, on executor: (any TaskExecutor)? = nil) async {
        await withTaskCancellationHandler {
            await withDiscardingTaskGroup { group in
                for _ in 0..<max(concurrency, 1) {
                    group.addTask(executorPreference: executor) {
                        // No cancellation handler per job: cancelling run stops the worker, which releases waiters.
                        while !self.isStopped {
                            if let job = await self.waitForJob(as: self.newWaiter()) { await self.perform(job) }
                        }
                    }
                }
            }
        } onCancel: {
            stop()
        }
        await connectionPool.shutdown()
    }

    /// Graceful stop: take no more jobs; ``run(concurrency:)`` returns once running jobs have finished.
    public func stop() {
        perform(state.withLock { $0.machine.stop() })
    }

    /// Whether ``stop()`` was called.
    public var isStopped: Bool { state.withLock { $0.machine.isStopped } }

    /// Stops and disconnects at once; the server requeues jobs that were not finished.
    public func shutdown() async {
        stop()
        await connectionPool.shutdown()
    }

    // MARK: Internals

    private func newWaiter() -> Int {
        state.withLock { state in
            defer { state.nextWaiter += 1 }
            return state.nextWaiter
        }
    }

    /// Waits as waiter `id` until the state machine delivers a job or releases the waiter (stop, interrupt, or the
    /// waiter leaving); returns at once with `nil` in a cancelled task.
    nonisolated(nonsending) private func waitForJob(as id: Int) async -> WorkerJob? {
        await withUnsafeContinuation { continuation in
            // Decided under the lock: once the waiter is registered, only the state machine resumes it.
            let actions = state.withLock { state -> [Machine.Action]? in
                if Task.isCancelled { return nil }
                state.waiters[id] = continuation
                return state.machine.waiterArrived(id)
            }
            guard let actions else { return continuation.resume(returning: nil) }
            perform(actions)
        }
    }

    nonisolated(nonsending) private func perform(_ job: WorkerJob) async {
        let handler = state.withLock { $0.functions[job.function]?.handler }
        do {
            guard let handler else { throw WorkFailure() }
            let result = try await handler(job)
            try await job.complete(result.payload)
        } catch is WorkFailure {
            try? await job.fail()
        } catch {
            try? await job.exception(String(describing: error))
        }
    }

    /// Sends CAN_DO (checked: a refusal answers it, not the next GRAB_JOB) and logs a refusal.
    private func canDo(_ registration: FunctionRegistration, on connection: ServerConnection) -> EventLoopFuture<Void> {
        let answer = connection.sendChecked(registration.canDoPacket(timeoutUnit: configuration.timeoutUnit))
        answer.whenFailure { error in
            guard (error as? GearmanError)?.code == .serverError else { return }
            self.configuration.logger.warning(
                "function refused by server",
                metadata: ["gearman.server": "\(connection.address)", "function": "\(registration.name)", "error": "\(error)"])
        }
        return answer
    }

    private func perform(_ actions: [Machine.Action]) {
        for action in actions {
            switch action {
            case .grab(let connection):
                connection.sendRequest(Packet(.request, .grabJobUniq), to: self)
            case .preSleep(let connection):
                connection.sendAndForget(Packet(.request, .preSleep))
            case .deliver(let job, let waiter):
                state.withLock { $0.waiters.removeValue(forKey: waiter) }?.resume(returning: job)
            case .release(let waiters):
                let continuations = state.withLock { state in waiters.compactMap { state.waiters.removeValue(forKey: $0) } }
                continuations.forEach { $0.resume(returning: nil) }
            }
        }
    }

    /// A job's final packet is queued on `connection`; on its event loop. Until the event loop has run what is queued
    /// (the write among it), a caller asking for the next job may send PRE_SLEEP with that packet.
    func jobFinishing(on connection: ServerConnection) {
        guard state.withLock({ $0.machine.jobFinishing(on: connection) }) else { return }
        connection.eventLoop.execute {
            self.state.withLock { $0.machine.jobFinished(on: connection) }
        }
    }

    /// The answer to GRAB_JOB_UNIQ.
    private func grabbed(_ reply: Packet, on connection: ServerConnection) {
        let job: WorkerJob
        switch reply.type {
        case .jobAssignUniq:
            job = WorkerJob(
                handle: reply.arguments[0], function: reply.string(1), unique: reply.arguments[2], payload: reply.arguments[3],
                connection: connection, worker: self, coder: configuration.coder)
        case .jobAssign:
            job = WorkerJob(
                handle: reply.arguments[0], function: reply.string(1), unique: ByteBuffer(), payload: reply.arguments[2],
                connection: connection, worker: self, coder: configuration.coder)
        default:
            if reply.type == .error {
                configuration.logger.warning("grab refused", metadata: ["error": "\(reply.string(0)) \(reply.string(1))"])
            }
            perform(state.withLock { $0.machine.noJob(on: connection) })
            return
        }
        perform(state.withLock { $0.machine.assigned(job, on: connection) })
    }
}

extension GearmanWorker: ServerConnectionDelegate {
    func connectionEstablished(_ connection: ServerConnection) {
        let functions = state.withLock { state in
            state.connections[ObjectIdentifier(connection)] = connection
            return Array(state.functions.values)
        }
        if let workerID = configuration.workerID {
            connection.sendAndForget(Packet(.request, .setClientID, [workerID]))
        }
        functions.forEach { _ = canDo($0, on: connection) }
        perform(state.withLock { $0.machine.connectionUp(connection) })
    }

    func connectionLost(_ connection: ServerConnection) {
        perform(state.withLock { state in
            state.connections[ObjectIdentifier(connection)] = nil
            return state.machine.connectionDown(connection)
        })
    }

    func connection(_ connection: ServerConnection, received packet: Packet) {
        switch packet.type {
        case .noop:
            perform(state.withLock { $0.machine.noop(on: connection) })
        case .error:
            configuration.logger.warning("server error", metadata: ["code": "\(packet.string(0))", "message": "\(packet.string(1))"])
        default:
            break
        }
    }
}

extension GearmanWorker: ReplyReceiver {
    /// The answer to a GRAB_JOB_UNIQ; a lost connection reaches ``connectionLost(_:)`` instead.
    func connection(_ connection: ServerConnection, answered reply: Result<Packet, any Error>) {
        if case .success(let reply) = reply { grabbed(reply, on: connection) }
    }
}
