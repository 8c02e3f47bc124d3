import Gearman
import GearmanServer
import Testing

/// Our own client and worker (the `Gearman` library) over TLS to a server with an ACL in force.
@Suite(.timeLimit(.minutes(1)))
struct SwiftClientTLSTests {
    private func address(_ port: Int, as subject: String) -> ServerAddress {
        ServerAddress(
            host: "127.0.0.1", port: port,
            tls: TLSFiles(key: TLSFixtures.path("\(subject)-key.pem"), certificate: TLSFixtures.path("\(subject).pem"), ca: TLSFixtures.path("ca.pem"))
        )
    }

    /// A worker (subject `worker`, may register `reverse$`) and a client (subject `client`, may invoke `reverse$`)
    /// connected over TLS to a server with that ACL; both shut down after `body`.
    private func withWorkerAndClient(_ body: (GearmanWorker, GearmanClient) async throws -> Void) async throws {
        let list = try AccessControlList(parsing: "[worker]\nregister=reverse$\n[client]\ninvoke=reverse$\n")
        try await withTLSServer(accessControl: list) { _, _, tlsPort in
            let worker = GearmanWorker(servers: [address(tlsPort, as: "worker")])
            let client = GearmanClient(servers: [address(tlsPort, as: "client")])
            let outcome: Result<Void, any Error>
            do {
                try await worker.waitForServer(timeout: .seconds(10))
                try await client.waitForServer(timeout: .seconds(10))
                outcome = .success(try await body(worker, client))
            } catch {
                outcome = .failure(error)
            }
            await worker.shutdown()
            await client.shutdown()
            try outcome.get()
        }
    }

    @Test func clientAndWorkerOverTLSUnderTheACL() async throws {
        try await withWorkerAndClient { worker, client in
            worker.register("reverse") { job in String(try job.payload(as: String.self).reversed()) }
            let running = Task { await worker.run() }
            let job = try await client.submit("reverse", payload: "secure")
            #expect(try await job.result(as: String.self) == "eruces")
            await #expect(throws: (any Error).self) { _ = try await client.submit("reverse-all", payload: "denied") }
            worker.stop()
            await running.value
        }
    }

    /// An ERROR refusing a CAN_DO answers that registration, not the worker's next GRAB_JOB or another function's.
    @Test func aRefusedRegistrationFailsAloneAndTheWorkerKeepsServing() async throws {
        try await withWorkerAndClient { worker, client in
            worker.register("sort")  // refused and only logged
            let refusal = await #expect(throws: GearmanError.self) { try await worker.register(FunctionRegistration("reverse-all")) }
            #expect(refusal?.code == .serverError)
            #expect(refusal?.message.hasPrefix("PERMISSION_DENIED: register permission for 'reverse-all'") == true)
            try await worker.register(FunctionRegistration("reverse") { job in String(try job.payload(as: String.self).reversed()) })
            let running = Task { await worker.run() }
            for word in ["one", "two", "three"] {
                let job = try await client.submit("reverse", payload: word)
                #expect(try await job.result(as: String.self) == String(word.reversed()))
            }
            worker.stop()
            await running.value
        }
    }
}
