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
    public typealias Handler = nonisolated(nonsending) @Sendable (WorkerJob) async throws -> any PayloadConvertible

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

    /// The unit a server reads the CAN_DO_TIMEOUT number in.
    ///
    /// The protocol says seconds (geard, python `gear`), but gearmand reads milliseconds, with a floor of one
    /// second: a 30 s timeout sent as `30` makes gearmand give the job to another worker after one second.
    public enum TimeoutUnit: Sendable, Hashable {
        case seconds
        case milliseconds
    }

    func canDoPacket(timeoutUnit: TimeoutUnit) -> Packet {
        guard let timeout else { return Packet(.request, .canDo, [name]) }
        let (seconds, attoseconds) = timeout.components
        let number = switch timeoutUnit {
        case .seconds: max(1, Int(seconds) + (attoseconds > 0 ? 1 : 0))
        case .milliseconds: max(1, Int(seconds) * 1000 + Int((attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000))
        }
        return Packet(.request, .canDoTimeout, [name, String(number)])
    }
}
