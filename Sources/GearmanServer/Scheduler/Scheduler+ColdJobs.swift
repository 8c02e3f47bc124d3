import GearmanProtocol
import NIOCore
import NIOPosix

/// Cold jobs. With a ``ReadableQueueStore``, each function keeps at most `queuedJobsInMemory` queued jobs per
/// priority in memory; stored background jobs queued behind them are held by id only ("cold": an id in the
/// function's cold queue, in ``coldIDs``, and, when it coalesces, the hash of its key in
/// ``FunctionQueue/coldByUnique``). Once a queue holds cold jobs, every job queued at its back goes behind
/// them, so the order stays priority then FIFO. A job that cannot be dropped from memory (a client waits for
/// it, or the store does not hold it) is ``FunctionQueue/parked`` in its place instead.
///
/// When a queue's jobs in memory fall to half the limit, the next half limit of cold ids is read back off
/// the loop. Requests about one cold job (a coalescing submit, a status, admin commands) read it on the loop:
/// one lookup by primary key, far rarer than the submits and grabs.
extension Scheduler {
    /// Queues a job behind the others of its priority, as a cold job when the queue already holds enough.
    func enqueueAtBack(_ job: Job) {
        let function = job.function
        let priority = job.priority
        guard coldStore != nil,
            function.coldCount[priority.rawValue] > 0 || function.inMemoryCount(priority) >= configuration.queuedJobsInMemory
        else {
            function.enqueue(job)
            return wakeWorker(for: function)
        }
        if job.isBackground, job.clients.isEmpty {
            job.state = .gone
            jobsByHandle[job.handle] = nil
            if let key = job.coalescingKey, function.jobsByUnique[key] === job {
                function.jobsByUnique[key] = nil
                // On the rare collision of hash values, the newer job does not coalesce.
                if function.coldByUnique[key.hashValue] == nil { function.coldByUnique[key.hashValue] = job.id }
            }
            coldIDs.insert(job.id)
        } else {
            job.state = .queued
            function.parked[job.id] = job
        }
        function.enqueueCold(job.id, priority: priority)
        loadColdJobsIfLow(function, priority)
    }

    /// Reads the next cold jobs of a queue back once its jobs in memory fall to half the limit.
    func loadColdJobsIfLow(_ function: FunctionQueue, _ priority: JobPriority) {
        let half = configuration.queuedJobsInMemory / 2
        guard let coldStore, !function.isLoading[priority.rawValue], function.hasColdIDs(priority),
            function.inMemoryCount(priority) <= half
        else { return }
        let ids = function.takeColdIDs(priority, limit: max(half, 1))
        let stored = ids.filter { coldIDs.contains($0) }
        function.isLoading[priority.rawValue] = true
        let handlePrefix = self.handlePrefix
        // The jobs are made off the loop too; they are the loop's once handed over.
        NIOThreadPool.singleton.runIfActive(eventLoop: loop) {
            try coldStore.jobs(withIDs: stored).map { Job(stored: $0, handlePrefix: handlePrefix, function: function) }
        }.whenComplete { [self] result in
            function.isLoading[priority.rawValue] = false
            switch result {
            case .success(let jobs):
                loaded(ids, jobs, function, priority)
            case .failure(let error):
                logger.error("reading queued jobs back failed; trying again", metadata: ["error": "\(error)"])
                function.returnColdIDs(ids, priority)
                loop.scheduleTask(in: .seconds(1)) { self.loadColdJobsIfLow(function, priority) }
            }
        }
    }

    /// Queues jobs read back, in the order of `ids`, skipping those cancelled meanwhile.
    private func loaded(_ ids: [UInt64], _ jobs: [Job], _ function: FunctionQueue, _ priority: JobPriority) {
        let jobs = Dictionary(jobs.map { ($0.id, $0) }) { first, _ in first }
        for id in ids {
            if let job = function.parked.removeValue(forKey: id) {
                function.removeCold(priority)
                function.enqueue(job)
            } else if coldIDs.remove(id) != nil {
                function.removeCold(priority)
                guard let job = jobs[id] else {
                    logger.error("a queued job is missing from the queue store", metadata: ["handle": "\(handle(ofJob: id))"])
                    continue
                }
                index(job)
                function.enqueue(job)
            } else {
                continue
            }
            wakeWorker(for: function)
        }
        loadColdJobsIfLow(function, priority)
    }

    /// Indexes a job read back by handle and unique id, in place of its cold entries.
    private func index(_ job: Job) {
        let function = job.function
        jobsByHandle[job.handle] = job
        if let key = job.coalescingKey {
            if function.coldByUnique[key.hashValue] == job.id { function.coldByUnique[key.hashValue] = nil }
            if function.jobsByUnique[key] == nil { function.jobsByUnique[key] = job }
        }
    }

    /// Brings a cold stored job into memory where it stands in its queue, so that clients can wait for it.
    func park(_ stored: StoredJob, in function: FunctionQueue) -> Job {
        coldIDs.remove(stored.id)
        let job = Job(stored: stored, handlePrefix: handlePrefix, function: function)
        index(job)
        job.state = .queued
        function.parked[job.id] = job
        return job
    }

    /// Forgets a cancelled cold stored job and deletes it from the store.
    func cancelCold(_ stored: StoredJob) {
        guard coldIDs.remove(stored.id) != nil else { return }
        let function = function(named: stored.function)
        function.removeCold(stored.priority)
        if let key = Self.coalescingKey(unique: stored.unique, payload: stored.payload), function.coldByUnique[key.hashValue] == stored.id {
            function.coldByUnique[key.hashValue] = nil
        }
        durable?.remove(storedID: stored.id)
    }

    /// The id of the cold stored job with this handle, if there is one.
    func coldID(ofHandle handle: ByteBuffer) -> UInt64? {
        guard !coldIDs.isEmpty, let id = jobID(inHandle: handle.string), coldIDs.contains(id) else { return nil }
        return id
    }

    /// The cold stored job with this handle, read from the store.
    func coldJob(handle: String) -> StoredJob? {
        coldID(ofHandle: ByteBuffer(string: handle)).flatMap { readColdJobs([$0]).first }
    }

    /// The cold stored job of `function` that coalesces on `key`, read from the store.
    func coldJob(coalescingOn key: ByteBuffer, in function: FunctionQueue) -> StoredJob? {
        guard let id = function.coldByUnique[key.hashValue], let stored = readColdJobs([id]).first,
            Self.coalescingKey(unique: stored.unique, payload: stored.payload) == key
        else { return nil }
        return stored
    }

    /// Every cold stored job, read a chunk at a time, for admin listings.
    func forEachColdJob(_ body: (StoredJob) -> Void) {
        let ids = Array(coldIDs)
        for start in stride(from: 0, to: ids.count, by: 10_000) {
            readColdJobs(Array(ids[start..<min(start + 10_000, ids.count)])).forEach(body)
        }
    }

    /// Reads cold stored jobs on the loop; a failure reads as none (and is logged).
    private func readColdJobs(_ ids: [UInt64]) -> [StoredJob] {
        do {
            return try coldStore?.jobs(withIDs: ids.filter { coldIDs.contains($0) }) ?? []
        } catch {
            logger.error("reading queued jobs failed", metadata: ["error": "\(error)"])
            return []
        }
    }
}
