import NIOCore

/// A ``QueueStore`` that several servers share, such as ``PostgresQueueStore``: each stored job belongs to
/// at most one server at a time, which runs it.
///
/// A server keeps the jobs submitted to it when it has workers for them (``StoredJob/isKeptLocally``) and
/// offers the others to every server. When a worker finds its server's queues empty, the server claims
/// offered jobs of the worker's functions. The jobs of a server that stopped answering are offered again.
///
/// ``claim(functions:limit:)`` is called from the same dedicated thread as the ``QueueStore`` methods.
public protocol SharedQueueStore: QueueStore {
    /// Takes up to `limit` runnable offered jobs of `functions` for this server, highest priority and oldest
    /// first. A job is claimed by one server only, however many claim at once.
    func claim(functions: [ByteBuffer], limit: Int) throws -> [StoredJob]
    /// Starts the store's background work; `jobsAvailable` is called, from any thread, whenever offered jobs
    /// may have appeared (another server offered or gave up jobs, or a periodic check as a fallback).
    func start(jobsAvailable: @escaping @Sendable () -> Void)
    /// Stops the background work and offers this server's unfinished jobs to the other servers.
    func stop() async
}
