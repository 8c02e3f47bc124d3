import Foundation
import GearmanProtocol
import NIOCore

extension Scheduler {
    func submit(_ packet: Packet, from client: ServerConnection) {
        guard let kind = packet.type.submitKind else { return }
        guard !isDraining else { return sendError(client, code: "SHUTTING_DOWN", "the server is shutting down") }
        let arguments = packet.arguments
        let name = arguments[0]
        guard name.readableBytes > 0 else {
            return sendError(client, code: "INVALID_FUNCTION_NAME", "the function name is empty")
        }
        let payload = arguments[arguments.count - 1]
        var reducer: ByteBuffer?
        var runAt: Int64?
        switch packet.type {
        case .submitJobEpoch:
            guard let epoch = Int64(arguments[2].string) else {
                return sendError(client, code: "INVALID_EPOCH", "epoch '\(arguments[2].string)' is not a number")
            }
            runAt = epoch
        case .submitJobSched:
            guard let schedule = CronSchedule(fields: arguments[2...6].map(\.string)) else {
                return sendError(client, code: "INVALID_SCHEDULE", "minute/hour/day/month/weekday out of range")
            }
            guard let next = schedule.nextRun(after: Self.now()) else {
                return sendError(client, code: "INVALID_SCHEDULE", "the schedule never matches")
            }
            runAt = next
        case .submitReduceJob, .submitReduceJobBackground:
            reducer = arguments[2].compactCopy()
        default:
            break
        }

        let function = function(named: name)
        let unique = arguments[1]
        if let key = Self.coalescingKey(unique: unique, payload: payload),
            let existing = function.jobsByUnique[key] ?? coldJob(coalescingOn: key, in: function).map({ park($0, in: function) })
        {
            if !kind.background { wait(client, for: existing) }
            if existing.state == .persisting {
                existing.acknowledgementWaiters.append(client)
                client.awaitAcknowledgement(of: existing)
            } else {
                send(client, .jobCreated, existing.handle)
            }
            return
        }
        guard !function.isFull(for: kind.priority) else {
            return sendError(client, code: "QUEUE_ERROR", "Job queue is full")
        }
        let job = Job(
            id: makeJobID(), handlePrefix: handlePrefix, function: function, unique: unique, payload: payload,
            priority: kind.priority, isBackground: kind.background, reducer: reducer, runAt: runAt, submittedAt: Self.now()
        )
        jobsByHandle[job.handle] = job
        if let key = job.coalescingKey { function.jobsByUnique[key] = job }
        logger.debug("job submitted", metadata: ["handle": "\(job.handle.string)", "function": "\(function.displayName)"])
        recordSubmitted()
        if !kind.background { wait(client, for: job) }
        if kind.background, let durable {
            job.state = .persisting
            function.persistingCount += 1
            job.acknowledgementWaiters = [client]
            client.awaitAcknowledgement(of: job)
            return durable.add(job)
        }
        send(client, .jobCreated, job.handle)
        start(job)
    }

    /// Queues a job, or arms its timer when it is scheduled for later.
    private func start(_ job: Job) {
        if let runAt = job.runAt, runAt > Self.now() {
            job.state = .scheduled
            job.function.scheduledCount += 1
            let delay = TimeAmount.seconds(runAt - Self.now())
            job.timer = loop.scheduleTask(in: delay) { [unowned self] in self.release(job) }
        } else {
            enqueueAtBack(job)
        }
    }

    /// The queue store finished a commit: acknowledge its jobs and queue them, or refuse them.
    func persisted(_ jobs: [Job], error: Error?) {
        for job in jobs where job.state == .persisting {
            let waiters = job.acknowledgementWaiters
            job.acknowledgementWaiters = []
            if let error {
                // The durable queue logs the store's failure once, not once per refused submit.
                logger.debug("refused", metadata: ["handle": "\(job.handle.string)", "code": "QUEUE_ERROR", "reason": "\(error)"])
                for client in waiters { acknowledge(job, to: client, refusal: ("QUEUE_ERROR", "the job could not be stored: \(error)")) }
                remove(job)
            } else if job.isOffered {
                for client in waiters { acknowledge(job, to: client) }
                remove(job)
            } else {
                job.function.persistingCount -= 1
                for client in waiters { acknowledge(job, to: client) }
                start(job)
            }
        }
    }

    /// Re-creates a background job read from the queue store at start-up, or claimed from a shared one.
    func recover(_ stored: StoredJob) {
        let function = function(named: stored.function)
        let job = Job(stored: stored, handlePrefix: handlePrefix, function: function)
        jobsByHandle[job.handle] = job
        if let key = job.coalescingKey, function.jobsByUnique[key] == nil { function.jobsByUnique[key] = job }
        start(job)
    }

    /// The key a submit coalesces on: `nil` for an empty unique id, the payload for `-`, else the unique id.
    static func coalescingKey(unique: ByteBuffer, payload: ByteBuffer) -> ByteBuffer? {
        switch Job.Coalescing(unique: unique) {
        case .never: nil
        case .unique: unique
        case .payload: payload
        }
    }

    /// Moves a scheduled job whose time has come into its queue.
    private func release(_ job: Job) {
        guard job.state == .scheduled else { return }
        job.timer = nil
        job.function.scheduledCount -= 1
        enqueueAtBack(job)
    }

    private func wait(_ client: ServerConnection, for job: Job) {
        guard client.waitingJobs.updateValue(job, forKey: ObjectIdentifier(job)) == nil else { return }
        job.clients.append(client)
    }

    func sendStatus(ofHandle handle: ByteBuffer, to client: ServerConnection) {
        let job = jobsByHandle[handle]
        let isKnown = job != nil || coldID(ofHandle: handle) != nil
        send(
            client, .statusRes, handle, Self.flag(isKnown), Self.flag(job?.state == .running),
            job?.progress?.numerator ?? Self.zero, job?.progress?.denominator ?? Self.zero
        )
    }

    func sendStatus(ofUnique unique: ByteBuffer, to client: ServerConnection) {
        let job = functions.values.lazy.compactMap { $0.jobsByUnique[unique] }.first
        let isKnown = job != nil || functions.values.contains { coldJob(coalescingOn: unique, in: $0) != nil }
        send(
            client, .statusResUnique, unique, Self.flag(isKnown), Self.flag(job?.state == .running),
            job?.progress?.numerator ?? Self.zero, job?.progress?.denominator ?? Self.zero, ByteBuffer(string: String(job?.clients.count ?? 0))
        )
    }

    func setOption(_ option: ByteBuffer, for client: ServerConnection) {
        guard option.string == "exceptions" else {
            return sendError(client, code: "UNKNOWN_OPTION", "Server does not recognize given option")
        }
        client.wantsExceptions = true
        send(client, .optionRes, option)
    }

    static let zero = ByteBuffer(string: "0")
    private static let one = ByteBuffer(string: "1")
    static func flag(_ value: Bool) -> ByteBuffer { value ? one : zero }

    static func now() -> Int64 { Int64(Date().timeIntervalSince1970) }
}

extension ByteBuffer {
    /// A copy that owns exactly its bytes, so a stored job does not keep a large read buffer alive.
    func compactCopy() -> ByteBuffer {
        var copy = ByteBufferAllocator().buffer(capacity: readableBytes)
        copy.writeImmutableBuffer(self)
        return copy
    }
}

