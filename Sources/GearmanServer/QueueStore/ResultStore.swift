import GearmanProtocol
import NIOCore

/// The final outcome of a background job, kept for ``ServerConfiguration/keepResults``.
public struct StoredResult: Sendable, Hashable {
    /// The job's id, the number in its handle.
    public var id: UInt64
    /// The handle of the server that finished the job.
    public var handle: ByteBuffer
    public var function: ByteBuffer
    public var unique: ByteBuffer
    /// ``JobResultLine/Status/complete``, ``JobResultLine/Status/fail``, ``JobResultLine/Status/exception`` or
    /// ``JobResultLine/Status/cancelled``.
    public var status: JobResultLine.Status
    /// The WORK_COMPLETE or WORK_EXCEPTION data; empty for a failure.
    public var data: ByteBuffer
    /// Milliseconds since 1970.
    public var finishedAt: Int64
    /// Milliseconds since 1970 after which the result is gone.
    public var expiresAt: Int64

    public init(
        id: UInt64, handle: ByteBuffer, function: ByteBuffer, unique: ByteBuffer, status: JobResultLine.Status, data: ByteBuffer,
        finishedAt: Int64, expiresAt: Int64
    ) {
        self.id = id
        self.handle = handle
        self.function = function
        self.unique = unique
        self.status = status
        self.data = data
        self.finishedAt = finishedAt
        self.expiresAt = expiresAt
    }

    /// The `result` admin answer for this result.
    var answer: JobResultLine {
        JobResultLine(status: status, finishedAt: finishedAt, function: function, unique: unique, data: data)
    }
}

/// A ``QueueStore`` that also keeps results: ``QueueStore/commit(_:)`` writes a batch's
/// ``QueueStoreBatch/results`` in the transaction that removes their jobs, so a result is stored exactly when
/// its job is gone. Like the queue methods, these are called from the store's dedicated thread.
public protocol ResultStore: QueueStore {
    /// The result of job `id` unless it expired by `now` (milliseconds since 1970).
    func result(id: UInt64, at now: Int64) throws -> StoredResult?
    /// The function of job `id` when the store holds it unfinished (for a shared store: on any server).
    func unfinishedJobFunction(id: UInt64) throws -> ByteBuffer?
    /// Deletes the results expired by `now` (milliseconds since 1970); returns how many.
    @discardableResult func pruneResults(at now: Int64) throws -> Int
}
