import GearmanProtocol
import NIOCore

/// A job known to the scheduler, from submit until its final result. Confined to the scheduler's event loop.
final class Job: @unchecked Sendable {
    enum State {
        /// A background job being written to the queue store; acknowledged once durable.
        case persisting
        /// Waiting for its epoch or schedule time.
        case scheduled
        case queued
        case running
        /// Finished or cancelled; entries left in queues are skipped.
        case gone
    }

    /// What a submit's unique id coalesces on.
    enum Coalescing {
        /// Empty unique id: never coalesce.
        case never
        case unique
        /// Unique id `-`: coalesce on the payload (gearmand's convention).
        case payload

        init(unique: ByteBuffer) {
            if unique.readableBytes == 0 {
                self = .never
            } else {
                self = unique.readableBytesView.elementsEqual([UInt8(ascii: "-")]) ? .payload : .unique
            }
        }
    }

    /// The number in the handle, and the job's key in the queue store.
    let id: UInt64
    /// `H:<host>:<id>`. Handle, unique id and payload share one allocation.
    let handle: ByteBuffer
    let function: FunctionQueue
    /// The unique id as the client sent it (possibly empty).
    let unique: ByteBuffer
    /// The key that coalesces submits, or `nil` when the job never coalesces.
    let coalescingKey: ByteBuffer?
    let payload: ByteBuffer
    let priority: JobPriority
    let isBackground: Bool
    let reducer: ByteBuffer?
    /// Seconds since 1970 when a scheduled job becomes runnable.
    let runAt: Int64?
    /// Seconds since 1970.
    let submittedAt: Int64

    var state: State
    /// Stored for any server sharing the queue store to claim; this server forgets it once stored.
    var isOffered = false
    /// Submitters waiting for JOB_CREATED while the job is `.persisting`.
    var acknowledgementWaiters: [ServerConnection] = []
    /// Clients waiting for this job's result (foreground submitters and those who joined by unique id).
    var clients: [ServerConnection] = []
    var worker: ServerConnection?
    /// The last WORK_STATUS, `nil` until a worker sends one.
    var progress: (numerator: ByteBuffer, denominator: ByteBuffer)?
    /// How many times a worker took the job and then lost it (disconnect or timeout).
    var retries = 0
    /// Releases a scheduled job when its time comes, or takes a running job back at its worker timeout.
    var timer: Scheduled<Void>?
    /// When the job last entered its queue, and when a worker last took it: for wait and run time metrics.
    var queuedAt = NIODeadline.now()
    var startedAt = NIODeadline.now()

    /// Creates a job owning compact copies of `unique` and `payload`, so it never pins a read buffer.
    init(
        id: UInt64, handlePrefix: String, function: FunctionQueue, unique: ByteBuffer, payload: ByteBuffer,
        priority: JobPriority, isBackground: Bool, reducer: ByteBuffer?, runAt: Int64?, submittedAt: Int64, retries: Int = 0
    ) {
        let number = String(id)
        var bytes = ByteBufferAllocator().buffer(
            capacity: handlePrefix.utf8.count + number.utf8.count + unique.readableBytes + payload.readableBytes
        )
        let handleLength = bytes.writeString(handlePrefix) + bytes.writeString(number)
        bytes.writeImmutableBuffer(unique)
        bytes.writeImmutableBuffer(payload)
        self.id = id
        self.handle = bytes.getSlice(at: 0, length: handleLength)!
        self.unique = bytes.getSlice(at: handleLength, length: unique.readableBytes)!
        self.payload = bytes.getSlice(at: handleLength + unique.readableBytes, length: payload.readableBytes)!
        switch Coalescing(unique: unique) {
        case .never: coalescingKey = nil
        case .unique: coalescingKey = self.unique
        case .payload: coalescingKey = self.payload
        }
        self.function = function
        self.priority = priority
        self.isBackground = isBackground
        self.reducer = reducer
        self.runAt = runAt
        self.submittedAt = submittedAt
        self.retries = retries
        self.state = runAt == nil ? .queued : .scheduled
    }

    /// Re-creates a job read from the queue store.
    convenience init(stored: StoredJob, handlePrefix: String, function: FunctionQueue) {
        self.init(
            id: stored.id, handlePrefix: handlePrefix, function: function, unique: stored.unique, payload: stored.payload,
            priority: stored.priority, isBackground: true, reducer: stored.reducer, runAt: stored.runAt,
            submittedAt: stored.submittedAt, retries: stored.retries
        )
    }

    func removeClient(_ client: ServerConnection) {
        clients.removeAll { $0 === client }
    }
}
