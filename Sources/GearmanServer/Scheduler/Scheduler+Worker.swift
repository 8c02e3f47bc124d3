import GearmanProtocol
import NIOCore

extension Scheduler {
    func register(_ worker: ServerConnection, function name: ByteBuffer, timeoutSeconds: Int) {
        guard name.readableBytes > 0 else {
            return sendError(worker, code: "INVALID_FUNCTION_NAME", "the function name is empty")
        }
        let function = function(named: name)
        if let index = worker.abilities.firstIndex(where: { $0.function === function }) {
            worker.abilities[index].timeoutSeconds = max(timeoutSeconds, 0)
            return
        }
        worker.abilities.append(.init(function: function, timeoutSeconds: max(timeoutSeconds, 0)))
        function.workerCount += 1
        if worker.isSleeping {
            function.sleepingWorkers[worker.id] = worker
            if function.hasQueuedJobs { wake(worker) }
        }
    }

    func unregister(_ worker: ServerConnection, function name: ByteBuffer) {
        guard let function = functions[name], let index = worker.abilities.firstIndex(where: { $0.function === function })
        else { return }
        worker.abilities.remove(at: index)
        function.workerCount -= 1
        function.sleepingWorkers[worker.id] = nil
    }

    func removeAllAbilities(of worker: ServerConnection) {
        for ability in worker.abilities {
            ability.function.workerCount -= 1
            ability.function.sleepingWorkers[worker.id] = nil
        }
        worker.abilities.removeAll()
        worker.isSleeping = false
    }

    func preSleep(_ worker: ServerConnection) {
        if worker.abilities.contains(where: { $0.function.hasQueuedJobs }) {
            return send(worker, .noop)
        }
        worker.isSleeping = true
        for ability in worker.abilities { ability.function.sleepingWorkers[worker.id] = worker }
        claimSharedJobs(for: worker)
    }

    /// Wakes one sleeping worker of `function`: one queued job needs one worker.
    func wakeWorker(for function: FunctionQueue) {
        if let worker = function.sleepingWorkers.first?.value { wake(worker) }
    }

    private func wake(_ worker: ServerConnection) {
        worker.isSleeping = false
        for ability in worker.abilities { ability.function.sleepingWorkers[worker.id] = nil }
        send(worker, .noop)
    }

    /// GRAB_JOB, GRAB_JOB_UNIQ and GRAB_JOB_ALL: the highest priority job across the worker's functions,
    /// with functions taking turns within a priority.
    func grab(for worker: ServerConnection, style: PacketType) {
        if worker.isSleeping {
            worker.isSleeping = false
            for ability in worker.abilities { ability.function.sleepingWorkers[worker.id] = nil }
        }
        let count = worker.abilities.count
        for priority in JobPriority.allCases where count > 0 && !isDraining {
            for offset in 0..<count {
                let index = (worker.grabCursor + offset) % count
                let ability = worker.abilities[index]
                guard let job = ability.function.dequeue(priority) else { continue }
                worker.grabCursor = index + 1
                claimAheadIfRunningLow(ability.function)
                loadColdJobsIfLow(ability.function, priority)
                return assign(job, to: worker, timeoutSeconds: ability.timeoutSeconds, style: style)
            }
            // Cold jobs of this priority being read back come before any job of a lower one.
            if worker.abilities.contains(where: { $0.function.coldCount[priority.rawValue] > 0 }) { break }
        }
        send(worker, .noJob)
        claimSharedJobs(for: worker)
    }

    private func assign(_ job: Job, to worker: ServerConnection, timeoutSeconds: Int, style: PacketType) {
        let function = job.function
        job.state = .running
        job.worker = worker
        function.runningCount += 1
        worker.runningJobs[ObjectIdentifier(job)] = job
        recordStarted(job)
        logger.debug("job assigned", metadata: ["handle": "\(job.handle.string)", "worker": "\(worker.id)"])
        if timeoutSeconds > 0 {
            job.timer = loop.scheduleTask(in: .seconds(Int64(timeoutSeconds))) { [unowned self] in
                self.timedOut(job, on: worker)
            }
        }
        switch style {
        case .grabJobUniq:
            send(worker, .jobAssignUniq, job.handle, function.name, job.unique, job.payload)
        case .grabJobAll:
            // gearmand answers JOB_ASSIGN_UNIQ here; only reduce jobs need the longer JOB_ASSIGN_ALL.
            if let reducer = job.reducer {
                send(worker, .jobAssignAll, job.handle, function.name, job.unique, reducer, job.payload)
            } else {
                send(worker, .jobAssignUniq, job.handle, function.name, job.unique, job.payload)
            }
        default:
            send(worker, .jobAssign, job.handle, function.name, job.payload)
        }
        if function.hasQueuedJobs { wakeWorker(for: function) }
    }

    private func timedOut(_ job: Job, on worker: ServerConnection) {
        guard job.state == .running, job.worker === worker else { return }
        logger.warning(
            "job exceeded its worker timeout, taking it back",
            metadata: ["handle": "\(job.handle.string)", "worker": "\(worker.id)"]
        )
        requeueOrFail(job, reason: "timeout")
    }

    /// A running job lost its worker: queue it again at the front, or fail it once it used up its retries.
    func requeueOrFail(_ job: Job, reason: String) {
        job.timer?.cancel()
        job.timer = nil
        job.retries += 1
        let retriesExhausted = configuration.jobRetries > 0 && job.retries >= configuration.jobRetries
        if retriesExhausted || (!job.isBackground && job.clients.isEmpty) {
            if retriesExhausted {
                logger.warning("job failed after \(job.retries) attempts (\(reason))", metadata: ["handle": "\(job.handle.string)"])
                keepOutcome(of: job, .fail)
            }
            for client in job.clients { send(client, .workFail, job.handle) }
            return remove(job)
        }
        job.worker?.runningJobs[ObjectIdentifier(job)] = nil
        job.worker = nil
        job.function.runningCount -= 1
        drainProgressed()
        if job.isBackground { durable?.retried(job) }
        job.function.enqueue(job, atFront: true)
        logger.debug("job queued again", metadata: ["handle": "\(job.handle.string)", "reason": "\(reason)"])
        wakeWorker(for: job.function)
    }

    /// WORK_STATUS, WORK_DATA, WORK_WARNING and the final WORK_COMPLETE, WORK_FAIL, WORK_EXCEPTION.
    func workResult(_ packet: Packet, from worker: ServerConnection) {
        let handle = packet.arguments[0]
        guard let job = jobsByHandle[handle], job.worker === worker else {
            return sendError(worker, code: "JOB_NOT_FOUND", "Job given in work result not found")
        }
        if packet.type == .workComplete || packet.type == .workFail || packet.type == .workException {
            logger.debug("job ended", metadata: ["handle": "\(job.handle.string)", "result": "\(packet.type.name)"])
        }
        switch packet.type {
        case .workStatus:
            let progress = (packet.arguments[1].compactCopy(), packet.arguments[2].compactCopy())
            job.progress = progress
            for client in job.clients { send(client, .workStatus, job.handle, progress.0, progress.1) }
        case .workData, .workWarning:
            for client in job.clients { send(client, packet.type, job.handle, packet.arguments[1]) }
        case .workComplete:
            for client in job.clients { send(client, .workComplete, job.handle, packet.arguments[1]) }
            keepOutcome(of: job, .complete, data: packet.arguments[1])
            remove(job)
        case .workFail:
            for client in job.clients { send(client, .workFail, job.handle) }
            keepOutcome(of: job, .fail)
            remove(job)
        case .workException:
            for client in job.clients {
                if client.wantsExceptions {
                    send(client, .workException, job.handle, packet.arguments[1])
                } else {
                    send(client, .workFail, job.handle)
                }
            }
            keepOutcome(of: job, .exception, data: packet.arguments[1])
            remove(job)
        default:
            break
        }
    }
}
