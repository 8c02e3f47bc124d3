import Testing

extension InteropTests {
    /// Two clients of different libraries submit `slow` with one unique id; the second submits
    /// while the first's job runs (the worker takes 2 s), so both must get that one job's result.
    struct UniqueCoalescing: Sendable, CustomStringConvertible {
        let first: Library
        let second: Library
        let worker: Library

        var description: String { "\(first) + \(second) clients -> \(worker) worker" }

        static let all: [UniqueCoalescing] = [
            UniqueCoalescing(first: .php, second: .perl, worker: .gear),
            UniqueCoalescing(first: .gear, second: .gearman3, worker: .cli),
            UniqueCoalescing(first: .cli, second: .php, worker: .perl),
            UniqueCoalescing(first: .perl, second: .gear, worker: .gearman3),
            UniqueCoalescing(first: .gearman3, second: .cli, worker: .php),
        ]
    }

    @Suite("Unique ids")
    struct Unique {
        @Test("concurrent submits with one unique id share one job", arguments: ServerKind.allCases, UniqueCoalescing.all)
        func coalescing(server: ServerKind, setup: UniqueCoalescing) async throws {
            try await InteropSession.run(server) { session in
                try await session.startWorkers([setup.worker])
                let unique = "interop-unique-1"
                async let first = session.clientResult(setup.first, "unique", ["slow", Hex.encode("a"), unique])
                try await waitUntil("the first job to run") { try session.server.status()["slow"]?.running == 1 }
                let second = try await session.clientResult(setup.second, "unique", ["slow", Hex.encode("b"), unique])
                let firstResult = try await first
                #expect(firstResult.result == "complete")
                #expect(second.result == "complete")
                #expect(firstResult.text?.isEmpty == false)
                #expect(firstResult.data == second.data)
                #expect(try session.server.status()["slow"]?.total == 0)
            }
        }
    }
}
