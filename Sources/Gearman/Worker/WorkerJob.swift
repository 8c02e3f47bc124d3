import GearmanProtocol
import NIOCore
import Synchronization

/// A job assigned to this worker. Send progress through it and finish it once.
///
/// ```swift
/// worker.register("count") { job in
///     for step in 1...3 { try await job.sendStatus(numerator: step, denominator: 3) }
///     return "done"
/// }
/// ```
public final class WorkerJob: Sendable {
    public var handle: String { String(buffer: handleBytes) }
    public let function: String
    /// The unique id given by the submitter (empty if none).
    public var unique: String { String(buffer: uniqueBytes) }
    public let payload: ByteBuffer
    private let handleBytes: ByteBuffer
    private let uniqueBytes: ByteBuffer
    private let connection: ServerConnection
    /// Told when the job has sent its final packet.
    private weak let worker: GearmanWorker?
    private let coder: any PayloadCoder
    private let finished = Atomic(false)

    init(handle: ByteBuffer, function: String, unique: ByteBuffer, payload: ByteBuffer, connection: ServerConnection, worker: GearmanWorker, coder: any PayloadCoder) {
        self.handleBytes = handle
        self.function = function
        self.uniqueBytes = unique
        self.payload = payload
        self.connection = connection
        self.worker = worker
        self.coder = coder
    }

    /// The payload converted to `type`.
    public func payload<Value: PayloadConvertible>(as type: Value.Type) throws -> Value {
        try Value(payload: payload)
    }

    /// The payload decoded with the worker's ``PayloadCoder``.
    public func decodedPayload<Value: Decodable>(as type: Value.Type) throws -> Value {
        try coder.decode(type, from: payload)
    }

    /// Whether complete, fail or exception was sent.
    public var isFinished: Bool { finished.load(ordering: .acquiring) }

    /// Sends a WORK_DATA chunk.
    nonisolated(nonsending) public func sendData(_ data: some PayloadConvertible) async throws {
        try await send(.workData, data.payload)
    }

    /// Sends a WORK_WARNING chunk.
    nonisolated(nonsending) public func sendWarning(_ warning: some PayloadConvertible) async throws {
        try await send(.workWarning, warning.payload)
    }

    /// Sends WORK_STATUS.
    nonisolated(nonsending) public func sendStatus(numerator: Int, denominator: Int) async throws {
        try await connection.send(Packet(.request, .workStatus, [handle, String(numerator), String(denominator)]))
    }

    /// Finishes the job with WORK_COMPLETE.
    nonisolated(nonsending) public func complete(_ result: some PayloadConvertible = ByteBuffer()) async throws {
        try await finish(.workComplete, result.payload)
    }

    /// Finishes the job with WORK_COMPLETE carrying `value` encoded with the worker's ``PayloadCoder``.
    nonisolated(nonsending) public func complete(encoding value: some Encodable) async throws {
        try await finish(.workComplete, try coder.encode(value))
    }

    /// Finishes the job with WORK_FAIL.
    nonisolated(nonsending) public func fail() async throws {
        try await finish(Packet(.request, .workFail, [handleBytes]))
    }

    /// Finishes the job with WORK_EXCEPTION (clients without the `exceptions` option see a failure).
    nonisolated(nonsending) public func exception(_ data: some PayloadConvertible) async throws {
        try await finish(.workException, data.payload)
    }

    nonisolated(nonsending) private func finish(_ type: PacketType, _ data: ByteBuffer) async throws {
        try await finish(JobPacket(type: type, handle: handleBytes, data: data))
    }

    nonisolated(nonsending) private func finish(_ packet: some OutboundPacket) async throws {
        guard markFinished() else { return }
        try await connection.send(packet)
        // Sent on the connection's event loop, the packet waits for the end of the tick: the caller's request for
        // its next job can go in the same write.
        if connection.eventLoop.inEventLoop { worker?.jobFinishing(on: connection) }
    }

    nonisolated(nonsending) private func send(_ type: PacketType, _ data: ByteBuffer) async throws {
        try await connection.send(JobPacket(type: type, handle: handleBytes, data: data))
    }

    private func markFinished() -> Bool {
        !finished.exchange(true, ordering: .acquiringAndReleasing)
    }
}

/// Thrown by a handler to finish its job with WORK_FAIL rather than WORK_EXCEPTION.
///
/// ```swift
/// worker.register("lookup") { job in
///     guard let row = table[try job.payload(as: String.self)] else { throw WorkFailure() }
///     return row
/// }
/// ```
public struct WorkFailure: Error, Sendable, Hashable {
    public init() {}
}
