import GearmanProtocol
import NIOCore

/// A background job as a queue store keeps it.
public struct StoredJob: Sendable, Hashable {
    /// The number in the job's handle (`H:host:<id>`), unique per store.
    public var id: UInt64
    public var function: ByteBuffer
    public var unique: ByteBuffer
    public var payload: ByteBuffer
    public var priority: JobPriority
    /// Seconds since 1970 when a scheduled job becomes runnable; `nil` for at once.
    public var runAt: Int64?
    public var retries: Int
    /// Seconds since 1970.
    public var submittedAt: Int64
    public var reducer: ByteBuffer?
    /// Whether the submitting server runs the job itself; `false` leaves it to whichever server sharing a
    /// ``SharedQueueStore`` claims it first. Stores that are not shared ignore it.
    public var isKeptLocally: Bool

    public init(
        id: UInt64, function: ByteBuffer, unique: ByteBuffer, payload: ByteBuffer, priority: JobPriority,
        runAt: Int64?, retries: Int, submittedAt: Int64, reducer: ByteBuffer?, isKeptLocally: Bool = true
    ) {
        self.id = id
        self.function = function
        self.unique = unique
        self.payload = payload
        self.priority = priority
        self.runAt = runAt
        self.retries = retries
        self.submittedAt = submittedAt
        self.reducer = reducer
        self.isKeptLocally = isKeptLocally
    }
}

/// Changes a store applies atomically: everything submitted, retried and finished since the last commit.
public struct QueueStoreBatch: Sendable {
    public var added: [StoredJob] = []
    public var retried: [(id: UInt64, retries: Int)] = []
    public var removed: [UInt64] = []
    /// Outcomes of removed jobs to keep; only a ``ResultStore`` is given any.
    public var results: [StoredResult] = []

    public init() {}

    public var isEmpty: Bool { added.isEmpty && retried.isEmpty && removed.isEmpty && results.isEmpty }

    /// Puts `other`'s changes before this batch's, keeping their order.
    mutating func prepend(_ other: QueueStoreBatch) {
        added = other.added + added
        retried = other.retried + retried
        removed = other.removed + removed
        results = other.results + results
    }
}

/// Where background jobs live so that they survive a restart or a crash of the server.
///
/// Methods are called from one dedicated thread, never from an event loop, so they may block. A successful
/// ``commit(_:)`` means every job in the batch survives a crash of the server process.
public protocol QueueStore: Sendable {
    /// A short name for logs, e.g. the file path.
    var description: String { get }
    /// The highest job id ever stored, so new handles never collide with stored ones.
    func highestJobID() throws -> UInt64
    /// Applies a batch in one transaction.
    func commit(_ batch: QueueStoreBatch) throws
    /// Reads stored jobs in submission order, `chunkSize` at a time, so recovery never holds them all at once.
    func forEachChunk(of chunkSize: Int, _ body: ([StoredJob]) throws -> Void) throws
}

/// A ``QueueStore`` that reads queued jobs back by id at any time, from any thread, concurrently with its
/// commits. With one, the server keeps only the first jobs of each queue in memory and reads the rest back
/// as the queue moves (see `Scheduler+ColdJobs.swift`).
public protocol ReadableQueueStore: QueueStore {
    /// The stored jobs with these ids, in any order; ids not stored are left out.
    func jobs(withIDs ids: [UInt64]) throws -> [StoredJob]
}
