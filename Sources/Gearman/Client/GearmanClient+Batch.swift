import NIOCore

/// Many jobs at once, as python-gearman's `submit_multiple_jobs`, `wait_until_jobs_completed` and `get_job_statuses`.
///
/// ```swift
/// let submitted = await client.submitAll(files.map { JobRequest("wc", payload: $0) }, timeout: .seconds(2))
/// let jobs = submitted.compactMap { try? $0.get() }
/// let results = await client.waitUntilCompleted(jobs, timeout: .seconds(30))
/// ```
extension GearmanClient {
    /// Submits every request concurrently and returns once each is accepted or has failed,
    /// or `timeout` passed (those fail with ``GearmanError/timeout``). Results keep the order of `requests`.
    public func submitAll(_ requests: [JobRequest], timeout: Duration? = nil) async -> [Result<GearmanJob, GearmanError>] {
        await forEachConcurrently(requests, timeout: timeout) { try await self.submit($0) }
    }

    /// Waits with one deadline until every job finished; jobs still running at the deadline report
    /// ``GearmanError/timeout`` (they keep running). Results keep the order of `jobs`.
    public func waitUntilCompleted(_ jobs: [GearmanJob], timeout: Duration? = nil) async -> [Result<ByteBuffer, GearmanError>] {
        await forEachConcurrently(jobs, timeout: timeout) { try await $0.result }
    }

    /// The status of each job (GET_STATUS on the job's server), in order.
    public func statuses(of jobs: [GearmanJob], timeout: Duration? = nil) async -> [Result<JobStatus, GearmanError>] {
        await forEachConcurrently(jobs, timeout: timeout) { try await self.status(of: $0) }
    }

    /// The status of each job by handle or unique id, in order.
    public func statuses(of ids: [JobID], timeout: Duration? = nil) async -> [Result<JobStatus, GearmanError>] {
        await forEachConcurrently(ids, timeout: timeout) { try await self.status(of: $0) }
    }

    private func forEachConcurrently<Input: Sendable, Output: Sendable>(
        _ inputs: [Input],
        timeout: Duration?,
        _ operation: @escaping @Sendable (Input) async throws -> Output
    ) async -> [Result<Output, GearmanError>] {
        await withTaskGroup(of: (Int, Result<Output, GearmanError>).self) { group in
            for (index, input) in inputs.enumerated() {
                group.addTask {
                    do {
                        return (index, .success(try await withTimeout(timeout) { try await operation(input) }))
                    } catch let error as GearmanError {
                        return (index, .failure(error))
                    } catch {
                        return (index, .failure(GearmanError(.timeout, "\(error)")))
                    }
                }
            }
            var results = [Result<Output, GearmanError>?](repeating: nil, count: inputs.count)
            for await (index, result) in group { results[index] = result }
            return results.map { $0! }
        }
    }
}
