import Foundation
import Gearman
import Testing

/// The built `gear` executable, run as a process against a live server.
@Suite(.serialized, .timeLimit(.minutes(1)))
struct GearCommandTests {
    private func gear(_ server: TestServer, _ arguments: String..., input: String = "") async throws -> ProcessOutput {
        let command = arguments.first.map { [$0, "--host", "127.0.0.1:\(server.port)"] } ?? []
        return try await ChildProcess.run([builtProduct("gear").path] + command + arguments.dropFirst(), input: input)
    }

    @Test(arguments: ServerKind.allCases)
    func submitTakesThePayloadFromTheArgumentOrStdin(_ kind: ServerKind) async throws {
        try await withServer(kind) { server, _, worker in
            worker.register("reverse") { job in String(try job.payload(as: String.self).reversed()) }
            let running = Task { await worker.run() }
            let fromArgument = try await gear(server, "submit", "reverse", "hello")
            #expect(fromArgument.status == 0 && fromArgument.stdout == "olleh")
            let fromStdin = try await gear(server, "submit", "reverse", input: "from stdin")
            #expect(fromStdin.status == 0 && fromStdin.stdout == "nidts morf")
            worker.stop()
            await running.value
        }
    }

    @Test(arguments: ServerKind.allCases)
    func failuresAndExceptionsExitNonZero(_ kind: ServerKind) async throws {
        struct Boom: Error, CustomStringConvertible { var description: String { "boom" } }
        try await withServer(kind) { server, _, worker in
            worker.register("refuse") { _ in throw WorkFailure() }
            worker.register("explode") { _ in throw Boom() }
            let running = Task { await worker.run() }
            let refused = try await gear(server, "submit", "refuse", "x")
            #expect(refused.status != 0 && refused.stdout.isEmpty && refused.stderr.contains("jobFailed"))
            let exploded = try await gear(server, "submit", "explode", "x")
            #expect(exploded.status != 0 && exploded.stderr.contains("jobException: boom"))
            worker.stop()
            await running.value
        }
    }

    @Test(arguments: ServerKind.allCases)
    func backgroundSubmitThenListAndCancel(_ kind: ServerKind) async throws {
        try await withServer(kind) { server, _, _ in
            let submitted = try await gear(server, "submit", "--bg", "--high", "--unique", "u-1", "queued", "x")
            #expect(submitted.status == 0)
            let handle = submitted.stdout.trimmingCharacters(in: .newlines)
            #expect(!handle.isEmpty)

            let jobs = try await gear(server, "jobs", "--json")
            let listed = try JSONDecoder().decode([QueuedJob].self, from: Data(jobs.stdout.utf8))
            #expect(listed.map(\.handle) == [handle])
            let status = try await gear(server, "status")
            #expect(status.stdout.split(separator: "\n").map { $0.split(separator: " ") }.contains(["queued", "1", "0", "0"]))

            #expect(try await gear(server, "cancel", handle).status == 0)
            // geard removes a cancelled job; gearmand keeps listing it, ignored and no longer queued.
            let remaining = try JSONDecoder().decode([QueuedJob].self, from: Data(try await gear(server, "jobs", "--json").stdout.utf8))
            #expect(remaining.allSatisfy { !$0.queued })
            #expect(try await gear(server, "cancel", "H:nowhere:0").status != 0)
        }
    }

    @Test(arguments: ServerKind.allCases)
    func workRunsTheCommandPerJob(_ kind: ServerKind) async throws {
        try await withServer(kind) { server, client, _ in
            let upper = try ChildProcess([builtProduct("gear").path, "work", "--host", "127.0.0.1:\(server.port)", "--count", "2", "upper", "--", "tr", "a-z", "A-Z"])
            let failing = try ChildProcess([builtProduct("gear").path, "work", "--host", "127.0.0.1:\(server.port)", "--count", "1", "false", "--", "false"])
            let first = try await client.submit("upper", payload: "one", timeout: .seconds(20))
            let second = try await client.submit("upper", payload: "two", timeout: .seconds(20))
            #expect(try await first.result(as: String.self) == "ONE")
            #expect(try await second.result(as: String.self) == "TWO")
            let refused = try await client.submit("false", payload: "x", timeout: .seconds(20))
            await #expect(throws: GearmanError.jobFailed) { try await refused.result }
            #expect(try await upper.finish().status == 0)
            #expect(try await failing.finish().status == 0)
        }
    }

    @Test(arguments: ServerKind.allCases)
    func adminCommandsPrintTablesOrJSON(_ kind: ServerKind) async throws {
        let server = try await TestServer(kind)
        let worker = GearmanWorker(servers: [server.address], configuration: .init(workerID: "cli-test"))
        worker.register("listed")
        try await eventually("worker registered") {
            try await gear(server, "workers").stdout.contains("cli-test")
        }
        let workers = try JSONDecoder().decode([WorkerStatus].self, from: Data(try await gear(server, "workers", "--json").stdout.utf8))
        #expect(workers.contains { $0.clientID == "cli-test" && $0.functions == ["listed"] })

        struct Version: Decodable { var server: String; var version: String }
        let versions = try JSONDecoder().decode([Version].self, from: Data(try await gear(server, "version", "--json").stdout.utf8))
        #expect(versions.map(\.server) == ["127.0.0.1:\(server.port)"] && versions[0].version.first?.isNumber == true)

        let ping = try await gear(server, "ping")
        #expect(ping.status == 0 && ping.stdout.hasPrefix("SERVER") && ping.stdout.contains("127.0.0.1:\(server.port)"))
        struct Ping: Decodable { var milliseconds: Double }
        #expect(try JSONDecoder().decode([Ping].self, from: Data(try await gear(server, "ping", "--json").stdout.utf8))[0].milliseconds > 0)
        await worker.shutdown()
    }

    @Test func resultPrintsAKeptResultAndExitsByItsStatus() async throws {
        let server = try await TestServer.geard(["--keep-results", "2h"])
        let worker = GearmanWorker(servers: [server.address])
        worker.register("reverse") { job in String(try job.payload(as: String.self).reversed()) }
        worker.register("refuse") { _ in throw WorkFailure() }
        let running = Task { await worker.run() }
        func submit(_ function: String) async throws -> String {
            try await gear(server, "submit", "--bg", function, "hello").stdout.trimmingCharacters(in: .newlines)
        }
        let completed = try await submit("reverse")
        let refused = try await submit("refuse")
        let waiting = try await submit("nobody")
        // Background jobs end on their own time: wait until the server has their results.
        try await eventually("results kept") {
            let (done, failed) = (try await gear(server, "result", completed), try await gear(server, "result", refused))
            return done.status == 0 && failed.status == 1
        }
        let output = try await gear(server, "result", completed)
        #expect(output.stdout == "olleh")

        struct Row: Decodable { var handle: String; var status: String; var function: String; var finishedAt: Double?; var payload: String }
        let row = try JSONDecoder().decode(Row.self, from: Data(try await gear(server, "result", "--json", completed).stdout.utf8))
        #expect(row.handle == completed && row.status == "complete" && row.function == "reverse" && row.payload == "b2xsZWg=")
        #expect(abs(row.finishedAt! - Date().timeIntervalSince1970) < 600)

        let failed = try await gear(server, "result", refused)
        #expect(failed.stdout.isEmpty && failed.stderr.contains("fail"))
        let queued = try await gear(server, "result", waiting)
        #expect(queued.status == 3 && queued.stderr.contains("queued"))
        let unknown = try await gear(server, "result", String(completed.dropLast()) + "9999")
        #expect(unknown.status == 2 && unknown.stderr.contains("no job and no kept result"))
        worker.stop()
        await running.value
        await worker.shutdown()
    }

    @Test func unreachableServerExitsNonZero() async throws {
        let closed = try ClosedPort()
        let output = try await ChildProcess.run([
            builtProduct("gear").path, "submit", "--host", "127.0.0.1:\(closed.port)", "--connect-timeout", "0.2", "f", "x",
        ])
        #expect(output.status != 0)
        withExtendedLifetime(closed) {}
    }

    @Test func anAdminCommandToASilentServerGivesUp() async throws {
        let silent = try await MisbehavingServer(.neverAnswers)
        let output = try await ChildProcess.run([
            builtProduct("gear").path, "status", "--host", "127.0.0.1:\(silent.address.port)", "--connect-timeout", "0.2",
        ])
        #expect(output.status != 0 && output.stderr.contains("timeout"))
        try await silent.close()
    }
}
