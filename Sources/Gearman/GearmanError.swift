import NIOCore

/// What went wrong in a Gearman call.
///
/// Compare with ``code``, or with the static values for errors that carry no data:
///
/// ```swift
/// do {
///     _ = try await client.submit("resize", payload: image).result
/// } catch let error as GearmanError where error.code == .jobException {
///     print("worker raised:", String(buffer: error.payload!))
/// }
/// ```
public struct GearmanError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kind of a ``GearmanError``.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        public let description: String
        private init(_ name: String) { self.description = name }

        /// No server is connected, or every server failed the request.
        public static let noConnectedServer = Code("noConnectedServer")
        /// The worker reported WORK_FAIL (or the server turned an exception into a failure).
        public static let jobFailed = Code("jobFailed")
        /// The worker reported WORK_EXCEPTION; ``GearmanError/payload`` holds its data.
        public static let jobException = Code("jobException")
        /// A deadline passed before the awaited event.
        public static let timeout = Code("timeout")
        /// The peer sent something the protocol does not allow here.
        public static let protocolError = Code("protocolError")
        /// The connection closed while a request or a job was in flight.
        public static let connectionLost = Code("connectionLost")
        /// The server answered with an ERROR packet or an `ERR` admin line.
        public static let serverError = Code("serverError")
        /// The call does not fit the current configuration (duplicate server, bad option, …).
        public static let invalidConfiguration = Code("invalidConfiguration")
        /// The client or worker has been shut down.
        public static let shutdown = Code("shutdown")
    }

    /// What kind of error this is.
    public let code: Code
    /// Human-readable detail (server error text, protocol violation, …).
    public let message: String
    /// The exception data of a ``Code/jobException``.
    public let payload: ByteBuffer?

    public init(_ code: Code, _ message: String = "", payload: ByteBuffer? = nil) {
        self.code = code
        self.message = message
        self.payload = payload
    }

    public static let noConnectedServer = GearmanError(.noConnectedServer)
    public static let jobFailed = GearmanError(.jobFailed)
    public static let timeout = GearmanError(.timeout)
    public static let connectionLost = GearmanError(.connectionLost)
    public static let shutdown = GearmanError(.shutdown)

    /// A WORK_EXCEPTION with its data.
    public static func jobException(_ payload: ByteBuffer) -> GearmanError {
        GearmanError(.jobException, String(decoding: payload.readableBytesView, as: UTF8.self), payload: payload)
    }

    /// An ERROR packet or `ERR` line from the server.
    public static func serverError(code: String, message: String) -> GearmanError {
        GearmanError(.serverError, message.isEmpty ? code : "\(code): \(message)")
    }

    public static func protocolError(_ message: String) -> GearmanError { GearmanError(.protocolError, message) }

    public var description: String { message.isEmpty ? "GearmanError.\(code)" : "GearmanError.\(code): \(message)" }
}
