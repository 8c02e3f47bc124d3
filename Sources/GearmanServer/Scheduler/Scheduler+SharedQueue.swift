import NIOCore

/// Running jobs of a queue store shared by several servers: idle workers here make this server claim them.
extension Scheduler {
    /// Hooks the shared queue's reports into the scheduler.
    func connectSharedQueue() {
        sharedQueue?.onClaimed = { [unowned self] jobs in
            // A job this server holds already (claimed again after its heartbeat lapsed) stays as it is.
            for stored in jobs where jobsByHandle[ByteBuffer(string: handle(ofJob: stored.id))] == nil { recover(stored) }
        }
        sharedQueue?.onJobsAvailable = { [unowned self] in
            for function in functions.values where !function.sleepingWorkers.isEmpty { claimIfIdle(function) }
        }
    }

    /// A worker of these functions found nothing to do: claim shared jobs for those without queued ones.
    func claimSharedJobs(for worker: ServerConnection) {
        guard sharedQueue != nil, !isDraining else { return }
        for ability in worker.abilities { claimIfIdle(ability.function) }
    }

    /// Claims the next jobs while the workers still have half a claim's worth queued, so they never wait for the store.
    func claimAheadIfRunningLow(_ function: FunctionQueue) {
        guard let sharedQueue, function.totalQueued < sharedQueue.claimSize(for: function) / 2 else { return }
        sharedQueue.want(function)
    }

    private func claimIfIdle(_ function: FunctionQueue) {
        guard !function.hasQueuedJobs else { return }
        sharedQueue?.want(function)
    }
}
