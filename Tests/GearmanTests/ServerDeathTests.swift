import Gearman
import NIOConcurrencyHelpers
import Testing

/// A server dies (SIGKILL) while a worker runs one of its jobs, or while a submit waits for JOB_CREATED;
/// then it restarts on the same port and takes the other side's role.
@Suite(.timeLimit(.minutes(1)))
struct ServerDeathTests {
    private let fastBackoff = Backoff(initial: .milliseconds(20), maximum: .milliseconds(200))

    @Test(arguments: ServerKind.allCases)
    func runningJobMovesToTheOtherServerWhenItsServerDies(_ kind: ServerKind) async throws {
        var servers = [try await TestServer(kind), try await TestServer(kind)]
        let client = GearmanClient(servers: servers.map(\.address), configuration: .init(backoff: fastBackoff))
        let worker = GearmanWorker(servers: servers.map(\.address), configuration: .init(backoff: fastBackoff))
        let attempts = NIOLockedValueBox(0)
        let killed = NIOLockedValueBox(0)
        worker.register("work") { _ in
            let attempt = attempts.withLockedValue { $0 += 1; return $0 }
            // A round's first attempt runs until its server is killed; the retry completes.
            if attempt % 2 == 1 { try await eventually("server killed") { killed.withLockedValue { $0 } >= attempt } }
            return "attempt \(attempt)"
        }
        let running = Task { await worker.run() }
        try await eventually("both servers connected") { client.connectedServers.count == 2 && worker.connectedServers.count == 2 }

        for round in 0..<2 {
            let (dying, surviving) = (servers[round], servers[1 - round])
            try await steerNextSubmit(of: client, to: dying, awayFrom: surviving)
            let job = try await client.submit("work", maxRetries: 1)
            let firstAttempt = 2 * round + 1
            try await eventually("first attempt running") { attempts.withLockedValue { $0 } == firstAttempt }
            dying.kill()
            killed.withLockedValue { $0 = firstAttempt }
            #expect(try await job.result(as: String.self) == "attempt \(firstAttempt + 1)")
            #expect(await job.events.contains { $0 == .retrying(attempt: 1) })

            servers[round] = try await dying.restart()
            try await eventually("reconnected to the restarted server") {
                client.connectedServers.count == 2 && worker.connectedServers.count == 2
            }
        }
        worker.stop()
        await running.value
        await client.shutdown()
    }

    @Test(arguments: ServerKind.allCases)
    func submitFailsOverWhenItsServerDiesBeforeJobCreated(_ kind: ServerKind) async throws {
        var servers = [try await TestServer(kind), try await TestServer(kind)]
        let client = GearmanClient(servers: servers.map(\.address), configuration: .init(backoff: fastBackoff))
        try await eventually("both servers connected") { client.connectedServers.count == 2 }

        for round in 0..<2 {
            let (dying, surviving) = (servers[round], servers[1 - round])
            try await steerNextSubmit(of: client, to: dying, awayFrom: surviving)
            let queuedBefore = try await queuedJobs(on: surviving)
            dying.pause()
            let submit = Task { try await client.submit("late", payload: "x", background: true) }
            try await eventually("submit reached the frozen server") { dying.unreadBytes() > 0 }
            dying.kill()
            let job = try await submit.value
            #expect(job.handle != nil)
            #expect(try await queuedJobs(on: surviving) == queuedBefore + 1)

            servers[round] = try await dying.restart()
            try await eventually("reconnected to the restarted server") { client.connectedServers.count == 2 }
        }
        await client.shutdown()
    }

    /// Submits background probes until one lands on `other`, so that the next submit goes to `target`
    /// (the client places jobs round-robin over its two connected servers).
    private func steerNextSubmit(of client: GearmanClient, to target: TestServer, awayFrom other: TestServer) async throws {
        for _ in 0..<2 {
            let before = try await queuedJobs(on: other)
            _ = try await client.submit("probe", background: true)
            if try await queuedJobs(on: other) > before { return }
        }
        Issue.record("round-robin placement never reached \(other.address)")
    }

    private func queuedJobs(on server: TestServer) async throws -> Int {
        try await GearmanAdmin.withConnection(to: server.address) { try await $0.showJobs().count }
    }
}
