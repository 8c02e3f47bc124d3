import GearmanProtocol
import NIOCore

/// The result store: the final outcome of background jobs, read with the `result HANDLE` admin command.
extension Scheduler {
    /// Keeps a background job's final outcome, when results are kept; call before removing the job, so the
    /// result is committed with the removal.
    func keepOutcome(of job: Job, _ status: JobResultLine.Status, data: ByteBuffer = ByteBuffer()) {
        guard job.isBackground, let results else { return }
        results.keep(id: job.id, handle: job.handle, function: job.function.name, unique: job.unique, status, data: data)
    }

    /// Keeps that a cold job (always a stored background job) was cancelled; call before removing it.
    func keepCancellation(of stored: StoredJob) {
        results?.keep(
            id: stored.id, handle: ByteBuffer(string: handle(ofJob: stored.id)), function: stored.function, unique: stored.unique,
            .cancelled, data: ByteBuffer())
    }

    /// Deletes expired results now and then, on the store's thread when there is a store.
    func startPruningResults() {
        guard let results else { return }
        loop.scheduleRepeatedTask(initialDelay: results.pruneInterval, delay: results.pruneInterval) { [unowned self] _ in
            results.prune().whenComplete { outcome in
                switch outcome {
                case .success(let count): if count > 0 { self.logger.debug("pruned expired results", metadata: ["results": "\(count)"]) }
                case .failure(let error): self.logger.warning("pruning expired results failed", metadata: ["error": "\(error)"])
                }
            }
        }
    }

    /// The answer to `result HANDLE`: a ``JobResultLine`` for a job held or a result kept, else `ERR`.
    func result(ofHandle handle: String, for connection: ServerConnection) -> AdminAnswer {
        guard let results else {
            return .text(Self.adminError("RESULTS_DISABLED", "this server keeps no results (geard --keep-results)"))
        }
        if let job = jobsByHandle[ByteBuffer(string: handle)] {
            let status: JobResultLine.Status = switch job.state {
            case .running: .running
            case .scheduled: .scheduled
            case .persisting, .queued, .gone: .queued
            }
            return .text(answer(JobResultLine(status: status, finishedAt: nil, function: job.function.name, unique: job.unique), to: connection))
        }
        if let stored = coldJob(handle: handle) {
            return .text(answer(JobResultLine(status: .queued, finishedAt: nil, function: stored.function, unique: stored.unique), to: connection))
        }
        guard let id = jobID(inHandle: handle) else { return .text(Self.unknownJob) }
        return .later(
            results.find(id: id).map { [unowned self] found in
                switch found {
                case .result(let result): answer(result.answer, to: connection)
                case .unfinished(let function):
                    answer(JobResultLine(status: .pending, finishedAt: nil, function: function, unique: ByteBuffer()), to: connection)
                case .nothing: Self.unknownJob
                }
            }
        )
    }

    private static let unknownJob = adminError("UNKNOWN_JOB", "no such job, and no result kept for it")

    private func answer(_ line: JobResultLine, to connection: ServerConnection) -> String {
        guard mayRead(resultOf: line.function, connection) else {
            return Self.adminError("PERMISSION_DENIED", "the invoke permission for the job's function is required")
        }
        return line.line + "\n"
    }
}
