import Gearman
import NIOCore
import Testing

@Suite(.timeLimit(.minutes(1)))
struct AdminTests {
    @Test func aServerThatNeverAnswersTimesOut() async throws {
        let silent = try await MisbehavingServer(.neverAnswers)
        await #expect(throws: GearmanError.timeout) {
            try await GearmanAdmin.withConnection(to: silent.address, timeout: .milliseconds(100)) { try await $0.status() }
        }
        try await silent.close()
    }

    @Test(arguments: ServerKind.allCases) func typedAnswers(_ kind: ServerKind) async throws {
        try await withServer(kind) { server, client, worker in
            worker.register("listed")
            let queued = try await client.submit("queued", payload: "x", background: true, unique: "q-1")
            try await eventually("worker registered") {
                try await GearmanAdmin.withConnection(to: server.address) { try await $0.workers() }.contains { $0.functions == ["listed"] }
            }
            try await GearmanAdmin.withConnection(to: server.address) { admin in
                #expect(try await admin.version().hasPrefix(kind == .gearmand ? "1.1" : "0."))
                #expect(try await admin.getpid() > 0)
                let status = try await admin.status()
                #expect(status.contains(FunctionStatus(function: "queued", total: 1, running: 0, workers: 0)))
                #expect(status.contains(FunctionStatus(function: "listed", total: 0, running: 0, workers: 1)))
                #expect(try await admin.showJobs().map(\.handle) == [queued.handle!])
                #expect(try await admin.showUniqueJobs() == ["q-1"])
                try await admin.maxQueue("queued", limits: [5])
                #expect(try await admin.ping() < .seconds(1))
                await #expect(throws: GearmanError.self) { try await admin.cancelJob("H:nope:1") }
                #expect(try await admin.raw("version").first?.hasPrefix("OK") == true)
                #expect(try await admin.raw("show unique jobs").first?.hasPrefix("q-1") == true)
                if kind == .gearmand {
                    await #expect(throws: GearmanError.self) { try await admin.shutdown() }  // gearmand has no shutdown
                } else {
                    try await admin.shutdown()
                }
            }
            if kind == .geard { try await eventually("geard stopped") { await !TestServer.accepts(port: server.port) } }
        }
    }
}
