import Foundation
import Testing

extension InteropTests {
    @Suite("Background jobs and priorities")
    struct Background {
        @Test("a background job is run by the worker", arguments: ServerKind.allCases, Pair.ring)
        func background(server: ServerKind, pair: Pair) async throws {
            try await InteropSession.run(server) { session in
                try await session.startWorkers([pair.worker])
                let file = session.scratchFile("background")
                let created = try await session.clientResult(pair.client, "background", ["record", Hex.encode("\(file)|done"), "normal"])
                #expect(created.result == "created")
                #expect(created.handle?.isEmpty == false)
                try await waitUntil("the worker to record the job") { recordedLines(file) == ["done"] }
                try await waitUntil("the server to forget the job") { try session.server.status()["record"]?.total == 0 }
            }
        }

        // Submitted while no worker is connected: the worker must then get high, normal, low, FIFO within each.
        @Test("high before normal before low", arguments: ServerKind.allCases, [
            Pair(client: .cli, worker: .php),
            Pair(client: .php, worker: .perl),
            Pair(client: .perl, worker: .gear),
            Pair(client: .gear, worker: .gearman3),
            Pair(client: .gearman3, worker: .cli),
        ])
        func priorities(server: ServerKind, pair: Pair) async throws {
            try await InteropSession.run(server) { session in
                let file = session.scratchFile("priorities")
                let submitted = try await session.clientResult(pair.client, "priorities", [file])
                #expect(submitted.count == 6)
                #expect(try session.server.status()["record"]?.total == 6)
                try await session.startWorkers([pair.worker])
                try await waitUntil("the worker to record 6 jobs") { recordedLines(file).count == 6 }
                #expect(recordedLines(file) == ["high1", "high2", "normal1", "normal2", "low1", "low2"])
            }
        }
    }
}

/// The lines a `record` worker appended to `path`.
func recordedLines(_ path: String) -> [String] {
    let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
    return text.split(separator: "\n").map(String.init)
}
