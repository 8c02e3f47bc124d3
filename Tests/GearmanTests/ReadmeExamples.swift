import Gearman

// The README's client, worker and result examples, compiled with the tests; ReadmeTests checks that README.md shows
// exactly the lines between the markers.

func readmeClientExample() async throws {
    // README client example
    let client = GearmanClient(servers: [ServerAddress(host: "127.0.0.1", port: 4730)])
    try await client.waitForServer(timeout: .seconds(5))
    let job = try await client.submit("reverse", payload: "hello", timeout: .seconds(30))
    for await event in job.events {
        if case .status(let progress) = event { print("progress \(progress.numerator)/\(progress.denominator)") }
    }
    print(try await job.result(as: String.self))                      // "olleh"
    let later = try await client.submit("reverse", payload: "queued", background: true)
    print("queued as", later.handle ?? "?")
    await client.shutdown()
    // end
}

func readmeWorkerExample() async throws {
    // README worker example
    let worker = GearmanWorker(servers: [ServerAddress(host: "127.0.0.1", port: 4730)])
    worker.register("reverse", timeout: .seconds(60)) { job in
        try await job.sendStatus(numerator: 1, denominator: 2)
        let text = try job.payload(as: String.self)
        guard !text.isEmpty else { throw WorkFailure() }             // WORK_FAIL
        return String(text.reversed())                                // WORK_COMPLETE
    }
    try await worker.waitForServer(timeout: .seconds(5))
    await worker.run(concurrency: 4)                                  // until worker.stop()
    // end
}

func readmeResultExample(client: GearmanClient, server: ServerAddress) async throws {
    // README result example
    let handle = try await client.submit("reverse", payload: "later", background: true).handle!
    // … once a worker has run it, from any process:
    let outcome = try await GearmanAdmin.withConnection(to: server) { try await $0.result(of: handle) }
    if let outcome, outcome.status == .complete { print(try outcome.payload(as: String.self)) }
    // end
}
