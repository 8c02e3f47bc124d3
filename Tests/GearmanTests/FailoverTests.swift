import Gearman
import NIOCore
import Testing

@Suite(.timeLimit(.minutes(1)))
struct FailoverTests {
    private let fastBackoff = Backoff(initial: .milliseconds(20), maximum: .milliseconds(200))

    @Test func noServerIsATypedError() async throws {
        let closed = try ClosedPort()
        let client = GearmanClient(servers: [ServerAddress(host: "127.0.0.1", port: closed.port)])
        await #expect(throws: GearmanError.noConnectedServer) { try await client.submit("f") }
        await #expect(throws: GearmanError.noConnectedServer) { try await client.call("f") }
        await #expect(throws: GearmanError.timeout) { try await client.waitForServer(timeout: .milliseconds(100)) }
        await client.shutdown()
        withExtendedLifetime(closed) {}
    }

    @Test func aServerAnsweringGarbageIsDroppedAndTheSubmitGoesToTheNextServer() async throws {
        let garbage = try await MisbehavingServer(.answersGarbage)
        let good = try await TestServer(.geard)
        // Without `exceptions`, the client sends nothing on connecting, so the garbage server stays connected until
        // round robin gives it one of the two submits; its answer closes that connection.
        let client = GearmanClient(
            servers: [garbage.address, good.address], configuration: .init(exceptions: false, backoff: fastBackoff))
        try await eventually("both servers connected") { client.connectedServers.count == 2 }

        for _ in 0..<2 { _ = try await client.submit("f", payload: "x", background: true) }
        let queued = try await GearmanAdmin.withConnection(to: good.address) { try await $0.showJobs().count }
        #expect(queued == 2)
        await client.shutdown()
        try await garbage.close()
    }

    @Test func aTimeoutBeforeJobCreatedFailsTheSubmit() async throws {
        let silent = try await MisbehavingServer(.neverAnswers)
        let client = GearmanClient(servers: [silent.address], configuration: .init(exceptions: false))
        try await client.waitForServer(timeout: .seconds(5))
        await #expect(throws: GearmanError.timeout) { try await client.submit("f", timeout: .milliseconds(100)) }
        await #expect(throws: GearmanError.timeout) { try await client.call("f", timeout: .milliseconds(100)) }
        let batch = await client.submitAll([JobRequest("f")], timeout: .milliseconds(100))
        #expect(throws: GearmanError.self) { try batch[0].get() }
        if case .failure(let error) = batch[0] { #expect(error.code == .timeout) }
        let statuses = await client.statuses(of: [.handle("H:x")], timeout: .milliseconds(100))
        if case .failure(let error) = statuses[0] { #expect(error.code == .timeout) } else { Issue.record("status answered") }
        let echo = Task { try await client.echo("x") }
        echo.cancel()
        await #expect(throws: CancellationError.self) { try await echo.value }
        await client.shutdown()
        try await silent.close()
    }

    @Test func anAwaitedRegistrationThatNoServerAnswersEndsWhenCancelled() async throws {
        let silent = try await MisbehavingServer(.neverAnswers)
        let worker = GearmanWorker(servers: [silent.address])
        try await worker.waitForServer(timeout: .seconds(5))
        let registration = Task { try await worker.register(FunctionRegistration("f")) }
        try await eventually("the registration was sent") { worker.functions == ["f"] }
        registration.cancel()
        await #expect(throws: CancellationError.self) { try await registration.value }
        await worker.shutdown()
        try await silent.close()
    }

    @Test func aClientShutDownDuringItsTLSHandshakeClosesTheConnection() async throws {
        let silent = try await MisbehavingServer(.neverAnswers)
        let address = ServerAddress(host: "127.0.0.1", port: silent.address.port, tls: TLSFiles())
        let client = GearmanClient(servers: [address])
        try await eventually("the server accepted the connection") { silent.acceptedConnections == 1 }
        await client.shutdown()
        try await eventually("the connection is closed") { silent.openConnections == 0 }
        try await silent.close()
    }

    @Test func aClientShutDownAtOnceLeavesNoConnectionOpen() async throws {
        let silent = try await MisbehavingServer(.neverAnswers)
        let clients = (0..<10).map { _ in GearmanClient(servers: [silent.address], configuration: .init(exceptions: false)) }
        for client in clients { await client.shutdown() }
        try await eventually("every connection reached the server") { silent.acceptedConnections == clients.count }
        try await eventually("every connection is closed") { silent.openConnections == 0 }
        try await silent.close()
    }

    @Test(arguments: ServerKind.allCases) func roundRobinSkipsADeadServerAndReconnectsAfterRestart(_ kind: ServerKind) async throws {
        let first = try await TestServer(kind)
        let second = try await TestServer(kind)
        let client = GearmanClient(servers: [first.address, second.address], configuration: .init(backoff: fastBackoff))
        try await eventually("both servers connected") { client.connectedServers.count == 2 }

        let handles = try await (0..<4).asyncMap { _ in try await client.submit("f", background: true).handle! }
        #expect(handles.count == 4)
        let onFirst = try await GearmanAdmin.withConnection(to: first.address) { try await $0.showJobs().count }
        #expect(onFirst == 2)

        first.kill()
        for _ in 0..<4 { _ = try await client.submit("f", background: true) }
        let onSecond = try await GearmanAdmin.withConnection(to: second.address) { try await $0.showJobs().count }
        #expect(onSecond == 6)

        let restarted = try await first.restart()
        try await eventually("reconnected to restarted server") { client.connectedServers.count == 2 }
        _ = restarted
        await client.shutdown()
    }

    @Test(arguments: ServerKind.allCases) func runningForegroundJobFailsOverWhenItsServerDies(_ kind: ServerKind) async throws {
        let first = try await TestServer(kind)
        let second = try await TestServer(kind)
        let client = GearmanClient(servers: [first.address], configuration: .init(backoff: fastBackoff))
        let worker = GearmanWorker(servers: [first.address, second.address], configuration: .init(backoff: fastBackoff))
        worker.register("echo") { job in job.payload }
        let running = Task { await worker.run() }
        try await client.waitForServer(timeout: .seconds(5))

        let stuck = try await client.submit("never", maxRetries: 0)
        first.kill()
        await #expect(throws: GearmanError.connectionLost) { try await stuck.result }

        try client.addServer(second.address)
        try await client.waitForServer(timeout: .seconds(5))
        let job = try await client.submit("echo", payload: "still here", timeout: .seconds(5))
        #expect(try await job.result(as: String.self) == "still here")

        await client.removeServer(second.address)
        #expect(client.servers == [first.address])
        worker.stop()
        await running.value
        await client.shutdown()
    }

    @Test(arguments: ServerKind.allCases) func lowLevelNextJobAndStopWaiting(_ kind: ServerKind) async throws {
        try await withServer(kind) { _, client, worker in
            worker.register("manual", timeout: .seconds(10))
            let released = OneShotFlag()
            let waiting = Task {
                let job = await worker.nextJob()
                released.set()
                return job
            }
            try await eventually("waiter released") {
                worker.stopWaitingForJobs()
                return released.isSet
            }
            #expect(await waiting.value == nil)
            let job = try await client.submit("manual", payload: "p")
            let taken = try #require(await worker.nextJob())
            #expect(taken.function == "manual" && taken.handle == job.handle)
            try await taken.complete("done")
            #expect(try await job.result(as: String.self) == "done")
        }
    }

}

extension Sequence where Element: Sendable {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var results: [T] = []
        for element in self { results.append(try await transform(element)) }
        return results
    }
}

@Suite(.timeLimit(.minutes(1)))
struct ConnectionOptionTests {
    @Test(arguments: ServerKind.allCases) func keepaliveOptionsConnect(_ kind: ServerKind) async throws {
        let server = try await TestServer(kind)
        var address = server.address
        address.keepalive = TCPKeepalive(idle: .seconds(30), interval: .seconds(5), count: 3)
        let client = GearmanClient(servers: [address], configuration: .init(clientID: "keepalive-client"))
        try await client.waitForServer(timeout: .seconds(5))
        #expect(try await client.echo("alive") == ByteBuffer(string: "alive"))
        await client.shutdown()
    }

    @Test func missingTLSFilesKeepTheServerDisconnected() async throws {
        let server = try await TestServer(.gearmand)
        var address = server.address
        address.tls = TLSFiles(key: "/nonexistent.key", certificate: "/nonexistent.pem")
        let client = GearmanClient(servers: [address])
        await #expect(throws: GearmanError.timeout) { try await client.waitForServer(timeout: .milliseconds(200)) }
        await client.shutdown()
    }
}
