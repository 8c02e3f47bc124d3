import GearmanProtocol

/// The result store of `geard --keep-results`: how a background job ended, after it did.
///
/// ```swift
/// let job = try await client.submit("resize", payload: image, background: true)
/// // … later, from any process:
/// try await GearmanAdmin.withConnection(to: server) { admin in
///     if let outcome = try await admin.result(of: job.handle!), outcome.status == .complete {
///         let thumbnail = try outcome.payload(as: Data.self)
///     }
/// }
/// ```
extension GearmanAdmin {
    /// `result HANDLE`: where the job is, or how it ended; `nil` when the server knows neither the job nor a
    /// result for it (never kept, or expired). Throws ``GearmanError/Code/serverError`` with `RESULTS_DISABLED`
    /// from a server without `--keep-results`, and `PERMISSION_DENIED` when an ACL denies invoking the
    /// job's function.
    public func result(of handle: String) async throws -> JobOutcome? {
        guard !handle.isEmpty, !handle.contains(where: \.isWhitespace) else {
            throw GearmanError(.invalidConfiguration, "a job handle is one word: \(handle)")
        }
        try await send(AdminCommand.result(handle: handle).line)
        let line = try await nextLine()
        if line.hasPrefix("ERR UNKNOWN_JOB") { return nil }
        try Self.checkError(line)
        guard let answer = JobResultLine(line: line), let outcome = JobOutcome(handle: handle, answer: answer) else {
            throw GearmanError.protocolError("result answered \(line.prefix(200))")
        }
        return outcome
    }
}
