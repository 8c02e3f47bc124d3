import NIOCore

/// Runs tasks on a NIO event loop. A task that prefers it and talks to servers on the same loop pays no
/// thread hop per request: its writes go out at once and replies resume it on the loop.
///
/// ```swift
/// let loop = MultiThreadedEventLoopGroup(numberOfThreads: 1)
/// let client = GearmanClient(servers: [server], configuration: .init(eventLoopGroup: loop))
/// try await withTaskExecutorPreference(EventLoopExecutor(loop.next())) {
///     for image in images { _ = try await client.submit("resize", payload: image, background: true) }
/// }
/// ```
///
/// Code in such a task runs on the event loop: it must not block.
public final class EventLoopExecutor: TaskExecutor {
    public let eventLoop: any EventLoop

    public init(_ eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        eventLoop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
