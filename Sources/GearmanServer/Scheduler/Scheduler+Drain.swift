import NIOCore

/// Graceful shutdown. While draining, the scheduler hands out no job (GRAB gets NO_JOB), refuses submits,
/// and has closed the connections of idle workers so their libraries go to another server. Running jobs
/// finish as usual; once none is left and every connection's pending output has been written, the drain
/// is complete. Queued jobs stay where they are: background ones are in the queue store, if there is one.
extension Scheduler {
    enum DrainState {
        case serving
        /// The promise tells whether the drain completed before its timeout.
        case draining(EventLoopPromise<Bool>)
        case ended
    }

    var isDraining: Bool {
        if case .serving = drainState { return false }
        return true
    }

    /// Starts draining; the future tells whether running jobs finished and their results were written within
    /// `timeout`. A second call while draining joins the first.
    func beginDrain(timeout: TimeAmount) -> EventLoopFuture<Bool> {
        switch drainState {
        case .draining(let promise): return promise.futureResult
        case .ended: return loop.makeSucceededFuture(true)
        case .serving: break
        }
        let promise = loop.makePromise(of: Bool.self)
        drainState = .draining(promise)
        let idleWorkers = connections.values.filter { !$0.abilities.isEmpty && $0.runningJobs.isEmpty }
        logger.notice("draining", metadata: ["running": "\(runningJobCount)", "idleWorkers": "\(idleWorkers.count)"])
        for worker in idleWorkers { close(worker) }
        loop.scheduleTask(in: timeout) { [self] in
            if isDraining { logger.warning("drain timed out", metadata: ["running": "\(runningJobCount)"]) }
            endDrain(completed: false)
        }
        drainProgressed()
        return promise.futureResult
    }

    /// A running job stopped running; when it was the last one, the drain completes.
    func drainProgressed() {
        guard case .draining = drainState else { return }
        // After this tick, so the results sent in it are flushed first.
        loop.execute { [self] in
            guard runningJobCount == 0 else { return }
            let writes = connections.values.map { $0.channel.writeAndFlush(ByteBuffer()) }
            EventLoopFuture.andAllComplete(writes, on: loop).whenComplete { _ in self.endDrain(completed: true) }
        }
    }

    private func endDrain(completed: Bool) {
        guard case .draining(let promise) = drainState else { return }
        drainState = .ended
        promise.succeed(completed)
    }

    private var runningJobCount: Int { functions.values.reduce(0) { $0 + $1.runningCount } }
}
