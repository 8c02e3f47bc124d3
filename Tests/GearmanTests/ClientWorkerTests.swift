import Foundation
import Gearman
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import Testing

@Suite(.timeLimit(.minutes(1)))
struct ClientWorkerTests {
    /// Payloads larger than a socket read, and many requests in flight on one connection: packets split across reads
    /// and written several per system call arrive whole and in order.
    @Test(arguments: ServerKind.allCases) func largePayloadsAndManyConcurrentSubmitsArriveWhole(_ kind: ServerKind) async throws {
        try await withServer(kind) { _, client, worker in
            worker.register("echo") { job in job.payload }
            let running = Task { await worker.run(concurrency: 8) }
            let payloads = (0..<64).map { index in
                ByteBuffer(repeating: UInt8(truncatingIfNeeded: index), count: index % 8 == 0 ? 1 << 20 : 100 + index)
            }
            try await withThrowingTaskGroup(of: Bool.self) { group in
                for payload in payloads {
                    group.addTask { try await client.submit("echo", payload: payload).result == payload }
                }
                for try await echoed in group { #expect(echoed) }
            }
            worker.stop()
            await running.value
        }
    }

    @Test(arguments: ServerKind.allCases) func foregroundRoundTripWithEvents(_ kind: ServerKind) async throws {
        try await withServer(kind) { _, client, worker in
            worker.register("reverse") { job in
                try await job.sendData("chunk")
                try await job.sendWarning("careful")
                try await job.sendStatus(numerator: 1, denominator: 2)
                return String(try job.payload(as: String.self).reversed())
            }
            let running = Task { await worker.run() }
            let job = try await client.submit("reverse", payload: "hello")
            #expect(try await job.result(as: String.self) == "olleh")
            var events: [JobEvent] = []
            for await event in job.events { events.append(event) }
            #expect(events == [
                .created(handle: job.handle!), .data(ByteBuffer(string: "chunk")), .warning(ByteBuffer(string: "careful")),
                .status(JobProgress(numerator: 1, denominator: 2)), .completed(ByteBuffer(string: "olleh")),
            ])
            #expect(job.dataChunks == [ByteBuffer(string: "chunk")])
            #expect(job.warnings == [ByteBuffer(string: "careful")])
            #expect(job.progress == JobProgress(numerator: 1, denominator: 2))
            worker.stop()
            await running.value
        }
    }

    @Test(arguments: ServerKind.allCases) func callReturnsTheResultOrThrowsWhatWentWrong(_ kind: ServerKind) async throws {
        try await withServer(kind) { _, client, worker in
            worker.register("reverse") { job in String(try job.payload(as: String.self).reversed()) }
            worker.register("refuse") { _ in throw WorkFailure() }
            let running = Task { await worker.run() }
            #expect(try await String(payload: client.call("reverse", payload: "hello")) == "olleh")
            await #expect(throws: GearmanError.jobFailed) { try await client.call("refuse") }
            let queued = try await client.call(JobRequest("nobody_works_this", payload: "x", background: true))
            #expect(queued.readableBytes == 0)
            worker.stop()
            await running.value
        }
    }

    @Test(arguments: ServerKind.allCases) func thrownErrorsBecomeExceptionsOrFailures(_ kind: ServerKind) async throws {
        struct Boom: Error, CustomStringConvertible { var description: String { "boom" } }
        try await withServer(kind) { _, client, worker in
            worker.register("explode") { _ in throw Boom() }
            worker.register("refuse") { _ in throw WorkFailure() }
            let running = Task { await worker.run() }
            let exploded = try await client.submit("explode")
            await #expect(throws: GearmanError.jobException(ByteBuffer(string: "boom"))) { try await exploded.result }
            let refused = try await client.submit("refuse")
            await #expect(throws: GearmanError.jobFailed) { try await refused.result }
            worker.stop()
            await running.value
        }
    }

    @Test(arguments: ServerKind.allCases) func withoutExceptionsOptionAnExceptionIsAFailure(_ kind: ServerKind) async throws {
        try await withServer(kind, clientConfiguration: .init(exceptions: false)) { _, client, worker in
            worker.register("explode") { job in
                try await job.exception("nope")
                return ""
            }
            let running = Task { await worker.run() }
            let job = try await client.submit("explode")
            await #expect(throws: GearmanError.jobFailed) { try await job.result }
            worker.stop()
            await running.value
        }
    }

    @Test(arguments: ServerKind.allCases) func failedJobsAreRetriedUpToMaxRetries(_ kind: ServerKind) async throws {
        try await withServer(kind) { _, client, worker in
            let attempts = NIOLockedValueBox(0)
            worker.register("flaky") { _ in
                let attempt = attempts.withLockedValue { $0 += 1; return $0 }
                if attempt < 3 { throw WorkFailure() }
                return "ok after \(attempt)"
            }
            let running = Task { await worker.run() }
            let job = try await client.submit("flaky", maxRetries: 2)
            #expect(try await job.result(as: String.self) == "ok after 3")
            let retries = await job.events.reduce(into: 0) { count, event in if case .retrying = event { count += 1 } }
            #expect(retries == 2)
            attempts.withLockedValue { $0 = -10 }
            let hopeless = try await client.submit("flaky", maxRetries: 0)
            await #expect(throws: GearmanError.jobFailed) { try await hopeless.result }
            worker.stop()
            await running.value
        }
    }

    @Test(arguments: ServerKind.allCases) func handlersSeeTheUniqueIDAndCodablePayloads(_ kind: ServerKind) async throws {
        struct Point: Codable, Equatable { var x, y: Int }
        try await withServer(kind) { _, client, worker in
            worker.register("swap") { job in
                let point = try job.decodedPayload(as: Point.self)
                try await job.complete(encoding: Point(x: point.y, y: point.x))
                return ByteBuffer()
            }
            worker.register("unique") { job in job.unique }
            let running = Task { await worker.run() }
            let swapped = try await client.submit("swap", encoding: Point(x: 1, y: 2))
            #expect(try await swapped.decodedResult(as: Point.self) == Point(x: 2, y: 1))
            let named = try await client.submit("unique", unique: "u-42")
            #expect(try await named.result(as: String.self) == "u-42")
            worker.stop()
            await running.value
        }
    }

    @Test(arguments: ServerKind.allCases) func backgroundJobsStatusAndPriorities(_ kind: ServerKind) async throws {
        try await withServer(kind) { _, client, worker in
            var jobs: [GearmanJob] = []
            for (priority, name) in [(JobPriority.low, "low"), (.normal, "normal"), (.high, "high")] {
                jobs.append(try await client.submit("queued", payload: name, priority: priority, background: true, unique: "u-\(name)"))
            }
            // A background job is done once accepted, and the submit returns it done.
            #expect(jobs.allSatisfy { $0.isFinished && $0.handle != nil })
            #expect(try await jobs[0].result == ByteBuffer())
            let status = try await client.status(of: jobs[0])
            #expect(status.isKnown && !status.isRunning)
            let byUnique = try await client.status(of: .unique("u-high"))
            #expect(byUnique.isKnown && byUnique.waitingClients == 0)
            let statuses = await client.statuses(of: jobs)
            #expect(statuses.allSatisfy { (try? $0.get().isKnown) == true })

            worker.register("queued")
            var order: [String] = []
            for _ in 0..<3 {
                let job = try #require(await worker.nextJob())
                order.append(try job.payload(as: String.self))
                try await job.complete()
            }
            #expect(order == ["high", "normal", "low"])
            try await eventually("jobs finished") { try await !client.status(of: jobs[2]).isKnown }
        }
    }

    @Test(arguments: ServerKind.allCases) func echoAndTimeouts(_ kind: ServerKind) async throws {
        try await withServer(kind) { _, client, _ in
            #expect(try await client.echo("ping") == ByteBuffer(string: "ping"))
            let job = try await client.submit("nobody-does-this", timeout: .milliseconds(200))
            await #expect(throws: GearmanError.timeout) { try await job.result }
        }
    }

    @Test(arguments: ServerKind.allCases) func scheduledSubmitIsQueuedInTheBackground(_ kind: ServerKind) async throws {
        try await withServer(kind) { server, client, _ in
            let job = try await client.submit(JobRequest("later", payload: "x", unique: "sched-1", scheduledAt: Date().addingTimeInterval(3600)))
            #expect(job.handle != nil)
            let unique = try await GearmanAdmin.withConnection(to: server.address) { try await $0.showUniqueJobs() }
            #expect(unique.contains("sched-1"))
        }
    }

    @Test(arguments: ServerKind.allCases) func batchSubmitAndWait(_ kind: ServerKind) async throws {
        try await withServer(kind) { _, client, worker in
            worker.register("double") { job in String(repeating: try job.payload(as: String.self), count: 2) }
            let running = Task { await worker.run(concurrency: 4) }
            let submitted = await client.submitAll((0..<20).map { JobRequest("double", payload: "\($0)") }, timeout: .seconds(5))
            let jobs = try submitted.map { try $0.get() }
            let results = await client.waitUntilCompleted(jobs, timeout: .seconds(10))
            #expect(try results.map { String(buffer: try $0.get()) } == (0..<20).map { "\($0)\($0)" })
            let late = try await client.submit("nobody-does-this")
            let timedOut = await client.waitUntilCompleted([late], timeout: .milliseconds(100))
            #expect(throws: GearmanError.timeout) { try timedOut[0].get() }
            worker.stop()
            await running.value
        }
    }

    @Test(arguments: ServerKind.allCases) func workerRunsJobsConcurrently(_ kind: ServerKind) async throws {
        try await withServer(kind) { _, client, worker in
            let inFlight = NIOLockedValueBox(0)
            worker.register("gate") { _ in
                inFlight.withLockedValue { $0 += 1 }
                try await eventually("3 jobs running at once") { inFlight.withLockedValue { $0 >= 3 } }
                return "through"
            }
            let running = Task { await worker.run(concurrency: 3) }
            let submitted = await client.submitAll((0..<3).map { _ in JobRequest("gate") })
            let results = await client.waitUntilCompleted(try submitted.map { try $0.get() }, timeout: .seconds(10))
            #expect(results.allSatisfy { (try? $0.get()) == ByteBuffer(string: "through") })
            worker.stop()
            await running.value
        }
    }

    /// A worker that found its queue empty goes back to sleep after each job instead of asking for the next one; jobs
    /// queued while it worked still all run, the server waking it as it announces its sleep.
    /// On its event loop, the worker sends PRE_SLEEP with the job's WORK_COMPLETE; on the global executor, it grabs.
    @Test(arguments: ServerKind.allCases, [false, true])
    func anIdleWorkerDrainsTheJobsQueuedWhileItWorked(_ kind: ServerKind, onWorkerLoop: Bool) async throws {
        try await withServer(kind) { server, client, _ in
            let loop = MultiThreadedEventLoopGroup(numberOfThreads: 1)
            let worker = GearmanWorker(servers: [server.address], configuration: .init(timeoutUnit: kind.timeoutUnit, eventLoopGroup: loop))
            let release = OneShotFlag()
            let (ran, ranContinuation) = AsyncStream.makeStream(of: Int.self)
            worker.register("gate") { _ in
                try await eventually("released") { release.isSet }
                return ""
            }
            worker.register("count") { job in
                ranContinuation.yield(Int(try job.payload(as: String.self))!)
                return ""
            }
            let running = Task { await worker.run(on: onWorkerLoop ? EventLoopExecutor(loop.next()) : nil) }
            // The first job's next grab finds the queue empty: from then on the worker sleeps after each job.
            for index in 0..<3 { _ = try await client.call("count", payload: "\(index)") }
            let gate = try await client.submit("gate")
            for index in 3..<40 { _ = try await client.submit("count", payload: "\(index)", background: true) }
            release.set()
            _ = try await gate.result
            var seen = Set<Int>()
            for await index in ran {
                seen.insert(index)
                if seen.count == 40 { break }
            }
            #expect(seen == Set(0..<40))
            worker.stop()
            await running.value
            try await loop.shutdownGracefully()
        }
    }

    @Test(arguments: ServerKind.allCases) func gracefulStopFinishesTheRunningJob(_ kind: ServerKind) async throws {
        try await withServer(kind) { _, client, worker in
            let started = OneShotFlag()
            let release = OneShotFlag()
            worker.register("slow", timeout: .seconds(30)) { _ in
                started.set()
                try await eventually("released") { release.isSet }
                return "finished"
            }
            let running = Task { await worker.run() }
            let job = try await client.submit("slow")
            try await eventually("job started") { started.isSet }
            worker.stop()
            release.set()
            await running.value
            #expect(try await job.result(as: String.self) == "finished")
        }
    }

    @Test(arguments: ServerKind.allCases) func cancellingTheRunningTaskStopsTheWorker(_ kind: ServerKind) async throws {
        try await withServer(kind) { _, client, worker in
            worker.register("echo") { job in job.payload }
            let running = Task { await worker.run(concurrency: 2) }
            let echoed = try await client.call("echo", payload: "x")
            #expect(echoed == ByteBuffer(string: "x"))
            running.cancel()
            await running.value
            #expect(worker.isStopped)
        }
    }

    /// Handlers run on the executor of the task that runs the worker (`FunctionRegistration.Handler` is
    /// `nonisolated(nonsending)`); one isolated to an actor still runs on that actor.
    @Test(arguments: ServerKind.allCases) func aHandlerIsolatedToTheMainActorRunsOnIt(_ kind: ServerKind) async throws {
        try await withServer(kind) { _, client, worker in
            worker.register("where") { @MainActor job in
                MainActor.assertIsolated()
                return job.payload
            }
            let running = Task { await worker.run() }
            let echoed = try await client.call("where", payload: "main")
            #expect(echoed == ByteBuffer(string: "main"))
            worker.stop()
            await running.value
        }
    }

    /// A waiter cancelled just as it registers is resumed once: twice would be undefined behaviour, a crash at best.
    @Test func nextJobCancelledWhileItWaitsReturnsNilOnce() async {
        let worker = GearmanWorker(servers: [])
        for _ in 0..<2_000 {
            let waiting = Task.detached { await worker.nextJob() }
            await Task.yield()
            waiting.cancel()
            #expect(await waiting.value == nil)
        }
        await worker.shutdown()
    }

    @Test(arguments: ServerKind.allCases) func aJobThatTimedOutTakesNoLaterEvents(_ kind: ServerKind) async throws {
        try await withServer(kind) { _, client, worker in
            let timedOut = OneShotFlag()
            worker.register("late") { job in
                try await eventually("the client gave up") { timedOut.isSet }
                try await job.sendData("late")
                return "done"
            }
            worker.register("echo") { job in job.payload }
            let running = Task { await worker.run() }
            let job = try await client.submit("late", timeout: .milliseconds(200))
            await #expect(throws: GearmanError.timeout) { try await job.result }
            timedOut.set()
            // One worker, one job at a time, one connection: the late job's packets reach the client before this echo.
            _ = try await client.call("echo", payload: "x")
            var events: [JobEvent] = []
            for await event in job.events { events.append(event) }
            #expect(events == [.created(handle: job.handle!), .failed(.timeout)])
            #expect(job.dataChunks.isEmpty)
            worker.stop()
            await running.value
        }
    }

    /// gearmand takes the job back after one second when a 30 s timeout is sent in seconds, and the result is lost.
    @Test(arguments: ServerKind.allCases) func aJobOutlastingOneSecondKeepsItsWorkerUntilTheTimeout(_ kind: ServerKind) async throws {
        try await withServer(kind) { _, client, worker in
            worker.register("slow", timeout: .seconds(30)) { _ in
                try await Task.sleep(for: .milliseconds(1500))  // the job's length, not a synchronization
                return "finished"
            }
            let running = Task { await worker.run() }
            let job = try await client.submit("slow", timeout: .seconds(20))
            #expect(try await job.result(as: String.self) == "finished")
            worker.stop()
            await running.value
        }
    }

    @Test(arguments: ServerKind.allCases) func unregisteredFunctionsGetNoJobs(_ kind: ServerKind) async throws {
        try await withServer(kind) { server, client, worker in
            worker.register("a")
            worker.register("b")
            worker.unregister("a")
            try await eventually("worker registered b only") {
                let workers = try await GearmanAdmin.withConnection(to: server.address) { try await $0.workers() }
                return workers.contains { $0.functions == ["b"] }
            }
            worker.setFunctions([FunctionRegistration("c")])
            try await eventually("worker registered c only") {
                let workers = try await GearmanAdmin.withConnection(to: server.address) { try await $0.workers() }
                return workers.contains { $0.functions == ["c"] }
            }
            _ = client
        }
    }
}

/// A flag set once, readable from any task.
final class OneShotFlag: Sendable {
    private let value = NIOLockedValueBox(false)
    var isSet: Bool { value.withLockedValue { $0 } }
    func set() { value.withLockedValue { $0 = true } }
}

@Suite(.timeLimit(.minutes(1)))
struct EventLoopExecutorTests {
    @Test(arguments: ServerKind.allCases) func requestsRunOnTheClientsEventLoop(_ kind: ServerKind) async throws {
        let server = try await TestServer(kind)
        let loop = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let client = GearmanClient(servers: [server.address], configuration: .init(eventLoopGroup: loop))
        let worker = GearmanWorker(servers: [server.address])
        worker.register("echo") { job in job.payload }
        let running = Task { await worker.run() }
        try await client.waitForServer(timeout: .seconds(10))
        let executor = EventLoopExecutor(loop.next())
        try await withTaskExecutorPreference(executor) {
            for index in 0..<20 {
                let job = try await client.submit("echo", payload: "\(index)")
                #expect(loop.next().inEventLoop)
                #expect(try await job.result(as: String.self) == "\(index)")
            }
            #expect(try await client.echo("ping") == ByteBuffer(string: "ping"))
        }
        worker.stop()
        await running.value
        await client.shutdown()
        try await loop.shutdownGracefully()
    }
}
