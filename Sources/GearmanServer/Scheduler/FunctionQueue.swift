import GearmanProtocol
import NIOCore

/// Everything the scheduler knows about one function name: its queues, workers and unique ids.
final class FunctionQueue: @unchecked Sendable {
    let name: ByteBuffer
    /// FIFO per priority, indexed by `JobPriority.rawValue`. Cancelled jobs stay until popped (state `.gone`).
    private var queues: [CircularBuffer<Job>] = Array(repeating: CircularBuffer(), count: JobPriority.allCases.count)
    /// Live queued jobs per priority (excluding cancelled ones still in `queues`), cold ones included.
    private(set) var queuedCount: [Int] = Array(repeating: 0, count: JobPriority.allCases.count)
    /// Ids of the queued jobs behind those in `queues`, per priority, in queue order: "cold" jobs, whose
    /// bytes stay in the queue store until they are read back (see `Scheduler+ColdJobs.swift`). Cancelled ids
    /// stay until read.
    private var coldQueues: [CircularBuffer<UInt64>] = Array(repeating: CircularBuffer(), count: JobPriority.allCases.count)
    /// Live cold jobs per priority, including those being read back.
    private(set) var coldCount: [Int] = Array(repeating: 0, count: JobPriority.allCases.count)
    /// Whether cold jobs of a priority are being read back.
    var isLoading: [Bool] = Array(repeating: false, count: JobPriority.allCases.count)
    /// Cold jobs that are nevertheless in memory (one a client waits for, or one the store does not hold), by id.
    var parked: [UInt64: Job] = [:]
    /// The stored cold jobs that coalesce, by the hash value of their coalescing key (see `jobsByUnique`).
    var coldByUnique: [Int: UInt64] = [:]
    var scheduledCount = 0
    /// Background jobs waiting for the queue store before they are acknowledged and queued.
    var persistingCount = 0
    var runningCount = 0
    var workerCount = 0
    /// Workers with this ability that sent PRE_SLEEP and have not been woken yet, by connection id.
    var sleepingWorkers: [Int: ServerConnection] = [:]
    var jobsByUnique: [ByteBuffer: Job] = [:]
    /// Per-priority limits on queued+running jobs; 0 means unlimited.
    var maxQueue: [Int] = Array(repeating: 0, count: JobPriority.allCases.count)
    /// Made on first use when metrics are on.
    var metrics: FunctionMetrics?

    init(name: ByteBuffer) {
        self.name = name
    }

    var displayName: String { String(decoding: name.readableBytesView, as: UTF8.self) }

    var totalQueued: Int { queuedCount.reduce(0, +) }

    /// Jobs counted by the admin `status` command: waiting, scheduled and running.
    var totalJobs: Int { totalQueued + scheduledCount + persistingCount + runningCount }

    /// Whether a worker could take a job now (cold ones must be read back first).
    var hasQueuedJobs: Bool { JobPriority.allCases.contains { inMemoryCount($0) > 0 } }

    /// Queued jobs of `priority` that are in memory, ready to hand out.
    func inMemoryCount(_ priority: JobPriority) -> Int { queuedCount[priority.rawValue] - coldCount[priority.rawValue] }

    func enqueue(_ job: Job, atFront: Bool = false) {
        job.state = .queued
        job.queuedAt = .now()
        if atFront {
            queues[job.priority.rawValue].prepend(job)
        } else {
            queues[job.priority.rawValue].append(job)
        }
        queuedCount[job.priority.rawValue] += 1
    }

    /// Takes the oldest live job of `priority`.
    func dequeue(_ priority: JobPriority) -> Job? {
        guard inMemoryCount(priority) > 0 else { return nil }
        while let job = queues[priority.rawValue].popFirst() {
            if job.state == .queued {
                queuedCount[priority.rawValue] -= 1
                return job
            }
        }
        return nil
    }

    /// Marks a queued job as gone; it is skipped when its turn comes.
    func cancelQueued(_ job: Job) {
        precondition(job.state == .queued)
        job.state = .gone
        queuedCount[job.priority.rawValue] -= 1
        if parked.removeValue(forKey: job.id) != nil {
            coldCount[job.priority.rawValue] -= 1
        } else if inMemoryCount(job.priority) == 0 {
            queues[job.priority.rawValue].removeAll(keepingCapacity: true)
        }
    }

    /// Queues a job by id behind the others, without its bytes.
    func enqueueCold(_ id: UInt64, priority: JobPriority) {
        coldQueues[priority.rawValue].append(id)
        coldCount[priority.rawValue] += 1
        queuedCount[priority.rawValue] += 1
    }

    /// Takes up to `limit` ids from the front of the cold queue of `priority`, to read them back.
    func takeColdIDs(_ priority: JobPriority, limit: Int) -> [UInt64] {
        let count = min(limit, coldQueues[priority.rawValue].count)
        defer { coldQueues[priority.rawValue].removeFirst(count) }
        return Array(coldQueues[priority.rawValue].prefix(count))
    }

    /// Puts ids taken with ``takeColdIDs(_:limit:)`` back, when reading them failed.
    func returnColdIDs(_ ids: [UInt64], _ priority: JobPriority) {
        for id in ids.reversed() { coldQueues[priority.rawValue].prepend(id) }
    }

    /// Whether ids are waiting in the cold queue of `priority` (some may be cancelled).
    func hasColdIDs(_ priority: JobPriority) -> Bool { !coldQueues[priority.rawValue].isEmpty }

    /// Forgets a cold job of `priority`: cancelled, or read back (and then queued with ``enqueue(_:atFront:)``).
    func removeCold(_ priority: JobPriority) {
        coldCount[priority.rawValue] -= 1
        queuedCount[priority.rawValue] -= 1
    }

    func isFull(for priority: JobPriority) -> Bool {
        let limit = maxQueue[priority.rawValue]
        return limit > 0 && totalJobs >= limit
    }

    var isIdle: Bool { totalJobs == 0 && workerCount == 0 }
}
