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
    /// Why the store failed, from a failed commit until a commit stores submits again.
    private var failure: String?
    /// While the store fails, the next attempt to commit the leftovers or to probe the store.
    private var retryTask: Scheduled<Void>?
    private var isShutDown = false
    /// Called on the scheduler loop with the jobs of a finished commit and its error, if any.
    var onCommitted: ([Job], Error?) -> Void = { _, _ in }
    /// How long a failing store rests between attempts.
    static let retryInterval = TimeAmount.seconds(1)

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
        try? await loop.submit {
            self.isShutDown = true
            self.retryTask?.cancel()
        }.get()
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
        let batch = pending
        let jobs = pendingJobs
        pending = QueueStoreBatch()
        pendingJobs = []
        run(batch, jobs)
    }

    /// While the store fails: commits what failed commits left over, alone so that new submits cannot fail it
    /// again (deletes free space on a full disk), or an empty batch, which tells whether the store works.
    private func retry() {
        retryTask = nil
        guard failure != nil, !commitInFlight, !isShutDown else { return }
        var leftovers = QueueStoreBatch()
        swap(&leftovers.retried, &pending.retried)
        swap(&leftovers.removed, &pending.removed)
        swap(&leftovers.results, &pending.results)
        run(leftovers, [])
    }

    private func run(_ batch: QueueStoreBatch, _ jobs: [Job]) {
        commitInFlight = true
        let store = self.store
        thread.runIfActive(eventLoop: loop) { try store.commit(batch) }.whenComplete { result in
            self.commitInFlight = false
            var failure: Error?
            switch result {
            case .success:
                for result in batch.results where self.uncommittedResults[result.id] == result {
                    self.uncommittedResults[result.id] = nil
                }
                if !batch.added.isEmpty { self.worked() }
            case .failure(let error):
                failure = error
                self.failed(error)
                // Retries, removals and results must still reach the store, or finished jobs would run again after a restart.
                var retry = QueueStoreBatch()
                retry.retried = batch.retried
                retry.removed = batch.removed
                retry.results = batch.results
                self.pending.prepend(retry)
            }
            self.onCommitted(jobs, failure)
            if self.failure == nil || !self.pendingJobs.isEmpty {
                self.commit()
            } else {
                // The store is failing: the retry timer tries again instead of spinning.
                self.idleWaiters.forEach { $0.succeed() }
                self.idleWaiters.removeAll()
            }
            if self.failure != nil, self.retryTask == nil, !self.commitInFlight, !self.isShutDown {
                self.retryTask = self.loop.scheduleTask(in: Self.retryInterval) { self.retry() }
            }
        }
    }

    /// Logs the store's failure once, and again only when its reason changes.
    private func failed(_ error: Error) {
        let reason = "\(error)"
        defer { failure = reason }
        let metadata: Logger.Metadata = ["store": "\(store.description)", "error": "\(reason)"]
        if failure == nil {
            logger.error("queue store failed; background submits are refused until it works again", metadata: metadata)
        } else if failure != reason {
            logger.error("queue store still failing, for another reason", metadata: metadata)
        }
    }

    private func worked() {
        guard failure != nil else { return }
        failure = nil
        retryTask?.cancel()
        retryTask = nil
        logger.notice("queue store works again; background submits are accepted", metadata: ["store": "\(store.description)"])
    }
}
