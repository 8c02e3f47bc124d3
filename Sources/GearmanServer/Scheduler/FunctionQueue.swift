import GearmanProtocol
import NIOCore

/// Everything the scheduler knows about one function name: its queues, workers and unique ids.
final class FunctionQueue: @unchecked Sendable {
    let name: ByteBuffer
    /// FIFO per priority, indexed by `JobPriority.rawValue`. Cancelled jobs stay until popped (state `.gone`).
    private var queues: [CircularBuffer<Job>] = Array(repeating: CircularBuffer(), count: JobPriority.allCases.count)
    /// Live queued jobs per priority (excluding cancelled ones still in `queues`).
    private(set) var queuedCount: [Int] = Array(repeating: 0, count: JobPriority.allCases.count)
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

    var hasQueuedJobs: Bool { queuedCount.contains { $0 > 0 } }

    func hasQueuedJobs(atOrAbove priority: JobPriority) -> Bool { queuedCount[priority.rawValue] > 0 }

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
        guard queuedCount[priority.rawValue] > 0 else { return nil }
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
        if queuedCount[job.priority.rawValue] == 0 { queues[job.priority.rawValue].removeAll(keepingCapacity: true) }
    }

    /// Queued jobs in the order they will run, for admin listings.
    var queuedJobs: [Job] { queues.flatMap { $0.filter { $0.state == .queued } } }

    func isFull(for priority: JobPriority) -> Bool {
        let limit = maxQueue[priority.rawValue]
        return limit > 0 && totalJobs >= limit
    }

    var isIdle: Bool { totalJobs == 0 && workerCount == 0 }
}
