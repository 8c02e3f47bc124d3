import GearmanProtocol
import NIOConcurrencyHelpers
import NIOCore

/// A job assigned to this worker. Send progress through it and finish it once.
///
/// ```swift
/// worker.register("count") { job in
///     for step in 1...3 { try await job.sendStatus(numerator: step, denominator: 3) }
///     return "done"
/// }
/// ```
public final class WorkerJob: Sendable {
    public let handle: String
    public let function: String
    /// The unique id given by the submitter (empty if none).
    public let unique: String
    public let payload: ByteBuffer
    private let connection: ServerConnection
    private let coder: any PayloadCoder
    private let finished = NIOLockedValueBox(false)

    init(handle: String, function: String, unique: String, payload: ByteBuffer, connection: ServerConnection, coder: any PayloadCoder) {
        self.handle = handle
        self.function = function
        self.unique = unique
        self.payload = payload
        self.connection = connection
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
    public var isFinished: Bool { finished.withLockedValue { $0 } }

    /// Sends a WORK_DATA chunk.
    public func sendData(_ data: some PayloadConvertible) async throws {
        try await send(.workData, data.payload)
    }

    /// Sends a WORK_WARNING chunk.
    public func sendWarning(_ warning: some PayloadConvertible) async throws {
        try await send(.workWarning, warning.payload)
    }

    /// Sends WORK_STATUS.
    public func sendStatus(numerator: Int, denominator: Int) async throws {
        try await connection.send(Packet(.request, .workStatus, [handle, String(numerator), String(denominator)]))
    }

    /// Finishes the job with WORK_COMPLETE.
    public func complete(_ result: some PayloadConvertible = ByteBuffer()) async throws {
        try await finish(.workComplete, result.payload)
    }

    /// Finishes the job with WORK_COMPLETE carrying `value` encoded with the worker's ``PayloadCoder``.
    public func complete(encoding value: some Encodable) async throws {
        try await finish(.workComplete, try coder.encode(value))
    }

    /// Finishes the job with WORK_FAIL.
    public func fail() async throws {
        guard markFinished() else { return }
        try await connection.send(Packet(.request, .workFail, [handle]))
    }

    /// Finishes the job with WORK_EXCEPTION (clients without the `exceptions` option see a failure).
    public func exception(_ data: some PayloadConvertible) async throws {
        try await finish(.workException, data.payload)
    }

    private func finish(_ type: PacketType, _ data: ByteBuffer) async throws {
        guard markFinished() else { return }
        try await send(type, data)
    }

    private func send(_ type: PacketType, _ data: ByteBuffer) async throws {
        try await connection.send(Packet(.request, type, [ByteBuffer(string: handle), data]))
    }

    private func markFinished() -> Bool {
        finished.withLockedValue { finished in
            defer { finished = true }
            return !finished
        }
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
