import ArgumentParser
import Foundation
import Gearman
import NIOCore
import NIOPosix
import Synchronization

/// `gear-bench`: throughput of this package's client and worker against a running job server, with the loads of
/// `shared/bench/gearbench` (see `scripts/bench-client.sh`, which runs both side by side).
@main
struct GearBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gear-bench",
        abstract: "Foreground round trips/s and background submits/s of GearmanClient and GearmanWorker.",
        discussion: """
            Prints one JSON line with gearbench's field names: fg (each task calls GearmanClient.call, submitting and awaiting \
            the result, one job after another: jps) or bg (each task submits in the background, awaiting JOB_CREATED: submit_jps; then the worker \
            drains the queue: drain_jps).
            """)

    @Option(help: "Job server host.") var host = "127.0.0.1"
    @Option(help: "Job server port.") var port = ServerAddress.defaultPort
    @Option(help: "fg or bg.") var scenario = "fg"
    @Option(help: "Jobs in the run.") var jobs = 20_000
    @Option(help: "Payload bytes per job.") var payloadSize = 100
    @Option(help: "Client tasks submitting at once, sharing one GearmanClient.") var tasks = 1
    @Option(help: "Jobs the GearmanWorker runs at once.") var workerConcurrency = 1
    @Flag(help: "Run the client tasks and the worker on their event loops (EventLoopExecutor) instead of the global executor.")
    var onEventLoop = false
    @Flag(help: """
        Run the load with a minimal client and worker on SwiftNIO alone instead of GearmanClient and GearmanWorker: what \
        SwiftNIO and Swift concurrency reach on this machine (one task, on its event loop).
        """)
    var bareNio = false

    func validate() throws {
        guard ["fg", "bg"].contains(scenario) else { throw ValidationError("--scenario is fg or bg") }
        guard jobs > 0, tasks > 0, workerConcurrency > 0 else { throw ValidationError("--jobs, --tasks and --worker-concurrency must be positive") }
        guard !bareNio || tasks == 1 && workerConcurrency == 1 else { throw ValidationError("--bare-nio runs one task and one job at a time") }
    }

    func run() async throws {
        let server = ServerAddress(host: host, port: port)
        let function = "gear_bench_\(ProcessInfo.processInfo.processIdentifier)_\(scenario)"
        let payload = ByteBuffer(repeating: UInt8(ascii: "x"), count: payloadSize)
        if bareNio { return try await runBareNIO(server: server, function: function, payload: payload) }
        let clientLoop = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let client = GearmanClient(servers: [server], configuration: .init(eventLoopGroup: clientLoop))
        let workerLoop = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let worker = GearmanWorker(servers: [server], configuration: .init(eventLoopGroup: workerLoop))
        let executor = onEventLoop ? EventLoopExecutor(clientLoop.next()) : nil
        let workerExecutor = onEventLoop ? EventLoopExecutor(workerLoop.next()) : nil
        let drained = Countdown(jobs) { worker.stop() }
        worker.register(function) { job in
            drained.tick()
            return job.payload
        }
        try await client.waitForServer(timeout: .seconds(5))
        try await worker.waitForServer(timeout: .seconds(5))

        if scenario == "fg" {
            let working = Task { await worker.run(concurrency: workerConcurrency, on: workerExecutor) }
            let seconds = try await measure {
                try await submitAll(on: executor) {
                    guard try await client.call(function, payload: payload) == payload else { throw GearmanError.protocolError("wrong echo") }
                }
            }
            await working.value
            report(["jps": Double(jobs) / seconds, "elapsed_s": seconds])
        } else {
            let submitSeconds = try await measure {
                try await submitAll(on: executor) { _ = try await client.submit(function, payload: payload, background: true) }
            }
            let drainSeconds = await measure { await worker.run(concurrency: workerConcurrency, on: workerExecutor) }
            report(["submit_jps": Double(jobs) / submitSeconds, "drain_jps": Double(jobs) / drainSeconds, "submit_s": submitSeconds])
        }
        await client.shutdown()
        try await clientLoop.shutdownGracefully()
        try await workerLoop.shutdownGracefully()
    }

    /// Runs `submit` `jobs` times from `tasks` tasks, each running its share one after another.
    private func submitAll(on executor: EventLoopExecutor?, _ submit: nonisolated(nonsending) @escaping @Sendable () async throws -> Void) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for task in 0..<tasks {
                let share = jobs / tasks + (task < jobs % tasks ? 1 : 0)
                group.addTask(executorPreference: executor) {
                    for _ in 0..<share {
                        try await submit()
                    }
                }
            }
            try await group.waitForAll()
        }
    }

    func measure(_ body: () async throws -> Void) async rethrows -> Double {
        let start = ContinuousClock.now
        try await body()
        let elapsed = (ContinuousClock.now - start).components
        return Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18
    }

    func report(_ metrics: [String: Double]) {
        var line: [String: Any] = [
            "scenario": scenario, "jobs": jobs, "tasks": tasks, "worker_concurrency": workerConcurrency, "on_event_loop": onEventLoop || bareNio,
            "bare_nio": bareNio,
        ]
        metrics.forEach { line[$0.key] = ($0.value * 10).rounded() / 10 }
        let data = try! JSONSerialization.data(withJSONObject: line, options: [.sortedKeys])
        print(String(decoding: data, as: UTF8.self))
    }
}

/// Calls `done` once after `count` ticks.
final class Countdown: Sendable {
    private let remaining: Atomic<Int>
    private let done: @Sendable () -> Void

    init(_ count: Int, done: @escaping @Sendable () -> Void) {
        remaining = Atomic(count)
        self.done = done
    }

    func tick() {
        if remaining.subtract(1, ordering: .relaxed).newValue == 0 { done() }
    }
}
