import NIOCore

/// Something that happened to a submitted job, in the order the server reported it.
///
/// ```swift
/// for await event in job.events {
///     if case .status(let progress) = event { print("\(progress.numerator)/\(progress.denominator)") }
/// }
/// ```
public enum JobEvent: Sendable, Hashable {
    /// The server accepted the job (JOB_CREATED); sent again with the new handle after a retry.
    case created(handle: String)
    /// A WORK_DATA chunk.
    case data(ByteBuffer)
    /// A WORK_WARNING chunk.
    case warning(ByteBuffer)
    /// A WORK_STATUS update.
    case status(JobProgress)
    /// The job failed and is being submitted again (attempt 1 is the first retry).
    case retrying(attempt: Int)
    /// The job finished with this result (for background jobs: empty, right after `created`).
    case completed(ByteBuffer)
    /// The job finished without a result: failure, exception (with payload), timeout or lost connection.
    case failed(GearmanError)

    var isTerminal: Bool {
        switch self {
        case .completed, .failed: true
        default: false
        }
    }
}

/// A job's progress as the worker reports it.
public struct JobProgress: Sendable, Hashable {
    public var numerator: Int
    public var denominator: Int

    public init(numerator: Int, denominator: Int) {
        self.numerator = numerator
        self.denominator = denominator
    }
}

/// The server's answer to GET_STATUS or GET_STATUS_UNIQUE.
public struct JobStatus: Sendable, Hashable {
    /// The job handle (GET_STATUS) or unique id (GET_STATUS_UNIQUE) asked about.
    public var id: String
    /// Whether the server knows the job (queued or running).
    public var isKnown: Bool
    public var isRunning: Bool
    public var progress: JobProgress
    /// Clients waiting for the job; only GET_STATUS_UNIQUE reports it.
    public var waitingClients: Int?

    public init(id: String, isKnown: Bool, isRunning: Bool, progress: JobProgress, waitingClients: Int? = nil) {
        self.id = id
        self.isKnown = isKnown
        self.isRunning = isRunning
        self.progress = progress
        self.waitingClients = waitingClients
    }
}
