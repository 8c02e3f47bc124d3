import NIOCore

extension Scheduler {
    /// A job was created by a submit.
    func recordSubmitted() {
        throughput.record(.submitted, at: .now())
    }

    /// A job was just assigned to a worker.
    func recordStarted(_ job: Job) {
        let now = NIODeadline.now()
        job.startedAt = now
        metrics?.jobStarted(job, at: now)
    }

    /// A running job ended: completed, failed, or given up after its retries.
    func recordEnded(_ job: Job) {
        let now = NIODeadline.now()
        metrics?.jobEnded(job, at: now)
        throughput.record(.ended, at: now)
    }

    /// Sets the gauges from the current tables.
    func sampleMetrics() {
        metrics?.sample(functions: functions, connections: connections)
    }
}
