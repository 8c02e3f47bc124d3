import GearmanProtocol
import NIOCore

/// A function the worker can do, with an optional server-side timeout (CAN_DO_TIMEOUT) and a handler.
///
/// ```swift
/// worker.setFunctions([
///     FunctionRegistration("reverse") { job in String(try job.payload(as: String.self).reversed()) },
///     FunctionRegistration("slow", timeout: .seconds(30)),   // served through nextJob()
/// ])
/// ```
public struct FunctionRegistration: Sendable {
    /// Runs one job; the returned payload completes it. Throwing ``WorkFailure`` sends WORK_FAIL,
    /// any other error WORK_EXCEPTION with the error's description.
    public typealias Handler = @Sendable (WorkerJob) async throws -> any PayloadConvertible

    public var name: String
    /// After this long the server gives the job to another worker.
    public var timeout: Duration?
    /// `nil` for functions whose jobs the caller takes with ``GearmanWorker/nextJob()``.
    public var handler: Handler?

    public init(_ name: String, timeout: Duration? = nil, handler: Handler? = nil) {
        self.name = name
        self.timeout = timeout
        self.handler = handler
    }

    var canDoPacket: Packet {
        guard let timeout else { return Packet(.request, .canDo, [name]) }
        let seconds = max(1, Int(timeout.components.seconds) + (timeout.components.attoseconds > 0 ? 1 : 0))
        return Packet(.request, .canDoTimeout, [name, String(seconds)])
    }
}
