import Logging
import NIOCore

/// Claims jobs from a ``SharedQueueStore`` for this server's idle workers. Confined to the scheduler's loop.
///
/// One claim runs at a time; functions asked for meanwhile are claimed together next. A function whose
/// claim came back short is not asked for again until the store reports that jobs may have appeared, so
/// workers polling with GRAB_JOB cost no queries.
final class SharedQueue: @unchecked Sendable {
    let store: SharedQueueStore
    private let durable: DurableQueue
    private let loop: EventLoop
    private let logger: Logger
    /// Functions to claim for, with how many jobs their workers could take.
    private var wanted: [ByteBuffer: Int] = [:]
    /// Functions with nothing to claim as of the last claim.
    private var drained: Set<ByteBuffer> = []
    private var claimInFlight = false
    /// Called on the scheduler loop with the jobs of a claim.
    var onClaimed: ([StoredJob]) -> Void = { _ in }
    /// Called on the scheduler loop when offered jobs may have appeared.
    var onJobsAvailable: () -> Void = {}

    /// Jobs claimed per worker of a function: a claim is a round trip to the store, so take a few turns' worth.
    static let jobsPerWorker = 16
    /// Most jobs one claim takes: enough for many workers, few enough not to starve the other servers.
    static let maximumClaim = 256

    init(store: SharedQueueStore, durable: DurableQueue, loop: EventLoop, logger: Logger) {
        self.store = store
        self.durable = durable
        self.loop = loop
        self.logger = logger
    }

    /// Starts listening for offered jobs; call once the stored jobs are recovered. Each report also commits
    /// what a failed commit left over, as the store works again.
    func start() {
        store.start { [loop] in
            loop.execute {
                self.durable.retryLeftovers()
                self.drained.removeAll()
                self.onJobsAvailable()
            }
        }
    }

    /// Claims jobs for `function`'s workers unless it is known to have none offered.
    func want(_ function: FunctionQueue) {
        guard !drained.contains(function.name) else { return }
        wanted[function.name] = claimSize(for: function)
        claimIfNeeded()
    }

    /// How many jobs of `function` a claim asks for.
    func claimSize(for function: FunctionQueue) -> Int {
        min(max(function.workerCount, 1) * Self.jobsPerWorker, Self.maximumClaim)
    }

    private func claimIfNeeded() {
        guard !claimInFlight, !wanted.isEmpty else { return }
        let functions = Array(wanted.keys)
        let limit = min(wanted.values.reduce(0, +), Self.maximumClaim)
        wanted.removeAll()
        claimInFlight = true
        let store = self.store
        durable.onStoreThread { try store.claim(functions: functions, limit: limit) }.whenComplete { result in
            self.claimInFlight = false
            switch result {
            case .success(let jobs):
                if jobs.count < limit { self.drained.formUnion(functions) }
                self.onClaimed(jobs)
            case .failure(let error):
                // Tried again on the next report of available jobs, which includes the periodic one.
                self.drained.formUnion(functions)
                self.logger.warning("claiming shared jobs failed", metadata: ["store": "\(store.description)", "error": "\(error)"])
            }
            self.claimIfNeeded()
        }
    }
}
