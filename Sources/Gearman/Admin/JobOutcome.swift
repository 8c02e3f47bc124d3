import Foundation
import GearmanProtocol
import NIOCore

/// Where a background job is, or how it ended: the answer of `result HANDLE` on a `geard` started with
/// `--keep-results` (see ``GearmanAdmin/result(of:)``).
public struct JobOutcome: Sendable, Hashable {
    /// Where the job is, or how it ended.
    public enum Status: String, Sendable, Hashable, Codable, CaseIterable {
        /// Waiting in its queue.
        case queued
        /// Waiting for its epoch or schedule time.
        case scheduled
        /// A worker is running it.
        case running
        /// Held by another server sharing the queue store: queued or running there.
        case pending
        /// The worker sent WORK_COMPLETE; ``JobOutcome/payload`` is its result.
        case complete
        /// The worker sent WORK_FAIL, or the job failed for good after its retries.
        case fail
        /// The worker sent WORK_EXCEPTION; ``JobOutcome/payload`` is the exception data.
        case exception
        /// Taken out of its queue with the `cancel job` admin command (``GearmanAdmin/cancelJob(_:)``) before any
        /// worker ran it.
        case cancelled

        /// Whether the job ended.
        public var isFinished: Bool { self == .complete || self == .fail || self == .exception || self == .cancelled }
    }

    public var handle: String
    public var status: Status
    public var function: String
    /// The unique id the job was submitted with (empty for none, or when another server holds the job).
    public var unique: String
    /// The result of a completed job, or the data of an exception; empty otherwise.
    public var payload: ByteBuffer
    /// When the job ended; `nil` while it has not.
    public var finishedAt: Date?

    public init(handle: String, status: Status, function: String, unique: String = "", payload: ByteBuffer = ByteBuffer(), finishedAt: Date? = nil) {
        self.handle = handle
        self.status = status
        self.function = function
        self.unique = unique
        self.payload = payload
        self.finishedAt = finishedAt
    }

    init?(handle: String, answer: JobResultLine) {
        guard let status = Status(rawValue: answer.status.rawValue.lowercased()) else { return nil }
        self.init(
            handle: handle, status: status, function: String(buffer: answer.function), unique: String(buffer: answer.unique),
            payload: answer.data, finishedAt: answer.finishedAt.map { Date(timeIntervalSince1970: Double($0) / 1000) }
        )
    }

    /// The payload decoded as `type`, e.g. `String.self` or `Data.self`.
    public func payload<T: PayloadConvertible>(as type: T.Type) throws -> T {
        try T(payload: payload)
    }
}
