import GearmanProtocol
import NIOCore
import Synchronization

/// A submitted job: its handle, what the worker reported so far, and its outcome.
///
/// ```swift
/// let job = try await client.submit("render", payload: scene)
/// for await event in job.events {
///     if case .data(let chunk) = event { output.write(chunk) }
/// }
/// let summary = try await job.result(as: String.self)
/// ```
public final class GearmanJob: Sendable, OutboundPacket, ReplyReceiver {
    private struct State {
        var handle: String?
        var connection: ServerConnection?
        var data: [ByteBuffer] = []
        var warnings: [ByteBuffer] = []
        var progress: JobProgress?
        var retries = 0
        /// Servers lost before they answered this attempt's submit.
        var lostServers: Set<ObjectIdentifier> = []
        var history: [JobEvent] = []
        var subscribers: [Int: AsyncStream<JobEvent>.Continuation] = [:]
        var nextSubscriber = 0
        var timer: Scheduled<Void>?
        var outcome = Settlement<ByteBuffer>()
        /// Set by the first JOB_CREATED, or by a failure before it.
        var acceptance = Settlement<Void>()
    }

    /// What was submitted.
    public let request: JobRequest
    /// Places the job, and takes its server's answer to the submit.
    private let client: GearmanClient
    private let state = Mutex(State())

    init(request: JobRequest, client: GearmanClient) {
        self.request = request
        self.client = client
    }

    /// The server's handle, once the job is accepted.
    public var handle: String? { state.withLock { $0.handle } }
    /// WORK_DATA chunks received so far.
    public var dataChunks: [ByteBuffer] { state.withLock { $0.data } }
    /// WORK_WARNING chunks received so far.
    public var warnings: [ByteBuffer] { state.withLock { $0.warnings } }
    /// The last WORK_STATUS, if any.
    public var progress: JobProgress? { state.withLock { $0.progress } }
    /// Whether the job completed or failed for good.
    public var isFinished: Bool { state.withLock { $0.outcome.result != nil } }

    /// Every event of the job from the start, then live ones until the job finishes. Each access is a new stream.
    public var events: AsyncStream<JobEvent> {
        let (stream, continuation) = AsyncStream.makeStream(of: JobEvent.self)
        state.withLock { state in
            state.history.forEach { continuation.yield($0) }
            if state.history.last?.isTerminal == true {
                continuation.finish()
            } else {
                let id = state.nextSubscriber
                state.nextSubscriber += 1
                state.subscribers[id] = continuation
                continuation.onTermination = { [weak self] _ in
                    _ = self?.state.withLock { $0.subscribers.removeValue(forKey: id) }
                }
            }
        }
        return stream
    }

    /// The job's result. Throws ``GearmanError`` for failure, exception (with its payload), timeout or lost connection.
    nonisolated(nonsending) public var result: ByteBuffer {
        get async throws { try await state.value(of: \.outcome) }
    }

    /// The result converted to `type`.
    nonisolated(nonsending) public func result<Value: PayloadConvertible>(as type: Value.Type) async throws -> Value {
        try Value(payload: try await result)
    }

    /// The result decoded with the client's ``PayloadCoder``.
    nonisolated(nonsending) public func decodedResult<Value: Decodable>(as type: Value.Type) async throws -> Value {
        try client.configuration.coder.decode(type, from: try await result)
    }

    // MARK: Driven by the client

    var connection: ServerConnection? { state.withLock { $0.connection } }

    func setTimer(_ timer: Scheduled<Void>) {
        state.withLock { $0.timer = timer }
    }

    /// Returns once a server accepted the job; throws why no server did, or `CancellationError` when the calling task
    /// is cancelled first (the job may still be accepted and run).
    nonisolated(nonsending) func waitUntilAccepted() async throws {
        try await state.value(of: \.acceptance)
    }

    /// JOB_CREATED: record where the job lives. Background jobs finish here.
    func accepted(handle: String, on connection: ServerConnection) {
        state.withLock { state in
            state.handle = handle
            state.connection = connection
        }
        emit(.created(handle: handle))
        if request.background { finish(.success(ByteBuffer())) }
        // Last, so that the submit returns a job that already shows its handle, its events and (background) its end.
        state.withLock { $0.acceptance.settle(.success(())) }?.resume(with: .success(()))
    }

    /// Applies a WORK_* packet. Returns the failure if the job failed (the client decides on a retry).
    func apply(_ packet: Packet) -> GearmanError? {
        switch packet.type {
        case .workData:
            emit(.data(packet.arguments[1])) { $0.data.append(packet.arguments[1]) }
        case .workWarning:
            emit(.warning(packet.arguments[1])) { $0.warnings.append(packet.arguments[1]) }
        case .workStatus:
            let progress = JobProgress(numerator: Int(packet.string(1)) ?? 0, denominator: Int(packet.string(2)) ?? 0)
            emit(.status(progress)) { $0.progress = progress }
        case .workComplete:
            finish(.success(packet.arguments[1]))
        case .workFail:
            return .jobFailed
        case .workException:
            return .jobException(packet.arguments[1])
        default:
            break
        }
        return nil
    }

    /// Whether a failure should be retried; if so, counts the attempt and reports it.
    func beginRetry(after error: GearmanError) -> Bool {
        guard !request.background, !isFinished, error.code == .jobFailed || error.code == .connectionLost else { return false }
        let attempt: Int? = state.withLock { state in
            guard state.retries < request.maxRetries else { return nil }
            state.retries += 1
            state.lostServers = []
            state.handle = nil
            state.connection = nil
            return state.retries
        }
        guard let attempt else { return false }
        emit(.retrying(attempt: attempt))
        return true
    }

    /// Settles the outcome. A job that fails before a server accepted it (no server, ERROR, timeout) fails its submit.
    func finish(_ result: Result<ByteBuffer, GearmanError>) {
        let outcome = result.mapError { $0 as any Error }
        // A failure also settles an acceptance still open; a success never does.
        let refusal: Result<Void, any Error>? = if case .failure(let error) = result { .failure(error) } else { nil }
        let settled = state.withLock { state -> (Settlement<ByteBuffer>.Waiters, Settlement<Void>.Waiters?, Scheduled<Void>?)? in
            guard let waiters = state.outcome.settle(outcome) else { return nil }
            return (waiters, refusal.flatMap { state.acceptance.settle($0) }, state.timer)
        }
        guard let (waiters, acceptanceWaiters, timer) = settled else { return }
        waiters.resume(with: outcome)
        if let refusal { acceptanceWaiters?.resume(with: refusal) }
        switch result {
        case .success(let value): emit(.completed(value))
        case .failure(let error): emit(.failed(error))
        }
        timer?.cancel()
    }

    /// Writes the job's submit: the job goes to a server as a reference, without a copy of its request.
    func write(to buffer: inout ByteBuffer) {
        request.write(to: &buffer)
    }

    func connection(_ connection: ServerConnection, answered reply: Result<Packet, any Error>) {
        client.submission(of: self, answered: reply, on: connection)
    }

    /// Records that `connection` was lost before it answered the submit; returns every server lost so.
    func serverLost(_ connection: ServerConnection) -> Set<ObjectIdentifier> {
        state.withLock { state in
            state.lostServers.insert(ObjectIdentifier(connection))
            return state.lostServers
        }
    }

    /// Records `event`, and `update` under the same lock, then sends it to the subscribers; a terminal event ends
    /// their streams. A job that has ended (a timeout passed, say) takes no more events from its worker.
    private func emit(_ event: JobEvent, updating update: (inout State) -> Void = { _ in }) {
        let subscribers = state.withLock { state -> [AsyncStream<JobEvent>.Continuation] in
            guard state.history.last?.isTerminal != true else { return [] }
            update(&state)
            // Room for the usual history (created, then completed or failed) in one allocation.
            if state.history.isEmpty { state.history.reserveCapacity(2) }
            state.history.append(event)
            let subscribers = Array(state.subscribers.values)
            if event.isTerminal { state.subscribers = [:] }
            return subscribers
        }
        for subscriber in subscribers {
            subscriber.yield(event)
            if event.isTerminal { subscriber.finish() }
        }
    }
}
