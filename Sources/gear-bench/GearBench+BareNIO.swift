import Gearman
import GearmanProtocol
import NIOCore
import NIOPosix

extension GearBench {
    /// The load of ``run()`` with ``BareClient`` and ``BareWorker`` in place of GearmanClient and GearmanWorker.
    func runBareNIO(server: ServerAddress, function: String, payload: ByteBuffer) async throws {
        let clientLoop = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let workerLoop = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let name = ByteBuffer(string: function)
        let foreground = scenario == "fg"
        let submit = BareNIO.packet(.submit(background: !foreground, priority: .normal), name, ByteBuffer(), payload)
        let client = try await connectClient(to: server, on: clientLoop.next(), awaiting: foreground ? .workComplete : .jobCreated)
        if foreground {
            let worked = try await startWorker(server: server, on: workerLoop.next(), function: name, first: .preSleep)
            let seconds = await measure { await submitAll(submit, with: client) }
            try await worked.get()
            report(["jps": Double(jobs) / seconds, "elapsed_s": seconds])
        } else {
            let submitSeconds = await measure { await submitAll(submit, with: client) }
            let drainSeconds = try await measure {
                try await startWorker(server: server, on: workerLoop.next(), function: name, first: .grabJobUniq).get()
            }
            report(["submit_jps": Double(jobs) / submitSeconds, "drain_jps": Double(jobs) / drainSeconds, "submit_s": submitSeconds])
        }
        try await client.channel.close()
        try await clientLoop.shutdownGracefully()
        try await workerLoop.shutdownGracefully()
    }

    private typealias Client = (channel: any Channel, handler: NIOLoopBound<BareClient>)

    private func connectClient(to server: ServerAddress, on loop: any EventLoop, awaiting reply: PacketType) async throws -> Client {
        let handler = try await loop.submit { NIOLoopBound(BareClient(awaiting: reply), eventLoop: loop) }.get()
        let channel = try await BareNIO.connect(to: server, on: loop) { handler.value }
        return (channel, handler)
    }

    /// Submits `jobs` jobs one after another from a task on the client's event loop.
    private func submitAll(_ submit: ByteBuffer, with client: Client) async {
        let jobs = jobs
        await Task(executorPreference: EventLoopExecutor(client.channel.eventLoop)) {
            for _ in 0..<jobs { await client.handler.value.submit(submit, on: client.channel) }
        }.value
    }

    /// Connects a worker for `function` that sends `first` (PRE_SLEEP to wait for jobs, GRAB_JOB_UNIQ to drain them);
    /// the future completes once it has run `jobs` jobs. A job queued before its CAN_DO reaches it all the same.
    private func startWorker(server: ServerAddress, on loop: any EventLoop, function: ByteBuffer, first: PacketType) async throws -> EventLoopFuture<Void> {
        let done = loop.makePromise(of: Void.self)
        let jobs = jobs
        let channel = try await BareNIO.connect(to: server, on: loop) { BareWorker(jobs: jobs, done: done) }
        var hello = BareNIO.packet(.canDo, function)
        hello.writeImmutableBuffer(BareNIO.packet(first))
        try await channel.writeAndFlush(hello)
        return done.futureResult.always { _ in channel.close(promise: nil) }
    }
}
