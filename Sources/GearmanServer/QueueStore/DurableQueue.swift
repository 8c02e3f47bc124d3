import GearmanProtocol
import Logging
import NIOCore
import NIOPosix

/// Group commit in front of a ``QueueStore``: changes made during a tick, or while the previous commit runs,
/// go to the store together in one transaction on the store's own thread. Confined to the scheduler's loop.
final class DurableQueue: @unchecked Sendable {
    let store: QueueStore
    private let loop: EventLoop
    private let thread: NIOThreadPool
    private let logger: Logger
    private var pending = QueueStoreBatch()
    /// Jobs of `pending.added`, told the outcome when their commit ends.
    private var pendingJobs: [Job] = []
    private var commitInFlight = false
    private var commitScheduled = false
    private var idleWaiters: [EventLoopPromise<Void>] = []
    /// Results handed over but not committed yet, by job id: readable meanwhile.
    private(set) var uncommittedResults: [UInt64: StoredResult] = [:]
    /// Called on the scheduler loop with the jobs of a finished commit and its error, if any.
    var onCommitted: ([Job], Error?) -> Void = { _, _ in }

    init(store: QueueStore, loop: EventLoop, logger: Logger) {
        self.store = store
        self.loop = loop
        self.logger = logger
        self.thread = NIOThreadPool(numberOfThreads: 1)
        thread.start()
    }

    func add(_ job: Job) {
        // A shared store offers the jobs this server has no worker for to the servers that may have one.
        job.isOffered = store is SharedQueueStore && job.function.workerCount == 0
        pending.added.append(
            StoredJob(
                id: job.id, function: job.function.name, unique: job.unique, payload: job.payload, priority: job.priority,
                runAt: job.runAt, retries: job.retries, submittedAt: job.submittedAt, reducer: job.reducer,
                isKeptLocally: !job.isOffered
            )
        )
        pendingJobs.append(job)
        scheduleCommit()
    }

    func retried(_ job: Job) {
        pending.retried.append((job.id, job.retries))
        scheduleCommit()
    }

    func remove(_ job: Job) {
        pending.removed.append(job.id)
        scheduleCommit()
    }

    /// Deletes a stored job the scheduler holds by id only (a cancelled cold job).
    func remove(storedID id: UInt64) {
        pending.removed.append(id)
        scheduleCommit()
    }

    /// Keeps a finished job's result; it is committed with the job's removal, which the caller hands over in
    /// the same tick.
    func keep(_ result: StoredResult) {
        pending.results.append(result)
        uncommittedResults[result.id] = result
        scheduleCommit()
    }

    /// Completes once everything handed over so far is committed (or failed).
    func whenIdle() -> EventLoopFuture<Void> {
        guard commitInFlight || commitScheduled || !pending.isEmpty else { return loop.makeSucceededVoidFuture() }
        let promise = loop.makePromise(of: Void.self)
        idleWaiters.append(promise)
        return promise.futureResult
    }

    /// Commits the retries and removals left over from a failed commit, e.g. once the store is back.
    func retryLeftovers() {
        if !pending.isEmpty { scheduleCommit() }
    }

    /// Runs `body` on the store's thread, in turn with the commits.
    func onStoreThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) -> EventLoopFuture<T> {
        thread.runIfActive(eventLoop: loop, body)
    }

    func shutdown() async {
        try? await thread.shutdownGracefully()
        await (store as? SharedQueueStore)?.stop()
    }

    private func scheduleCommit() {
        guard !commitInFlight, !commitScheduled else { return }
        commitScheduled = true
        // At the end of this tick, so that everything the tick produced shares the transaction.
        loop.execute { self.commit() }
    }

    private func commit() {
        commitScheduled = false
        guard !commitInFlight else { return }
        guard !pending.isEmpty else {
            idleWaiters.forEach { $0.succeed() }
            idleWaiters.removeAll()
            return
        }
        commitInFlight = true
        let batch = pending
        let jobs = pendingJobs
        pending = QueueStoreBatch()
        pendingJobs = []
        let store = self.store
        thread.runIfActive(eventLoop: loop) { try store.commit(batch) }.whenComplete { result in
            self.commitInFlight = false
            var failure: Error?
            if case .failure(let error) = result {
                failure = error
                self.logger.error("queue store commit failed; refusing its submits", metadata: ["store": "\(store.description)", "error": "\(error)"])
                // Retries, removals and results must still reach the store, or finished jobs would run again after a restart.
                var retry = QueueStoreBatch()
                retry.retried = batch.retried
                retry.removed = batch.removed
                retry.results = batch.results
                self.pending.prepend(retry)
            } else {
                for result in batch.results where self.uncommittedResults[result.id] == result {
                    self.uncommittedResults[result.id] = nil
                }
            }
            self.onCommitted(jobs, failure)
            if failure == nil || !self.pendingJobs.isEmpty {
                self.commit()
            } else {
                // The store is failing: try the leftovers again with the next change instead of spinning.
                self.idleWaiters.forEach { $0.succeed() }
                self.idleWaiters.removeAll()
            }
        }
    }
}
