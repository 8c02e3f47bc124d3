import Testing

extension InteropTests {
    @Suite("Job status")
    struct Status {
        // The gearman CLI worker cannot send WORK_STATUS, so it is never the worker here.
        @Test("WORK_STATUS and WORK_DATA reach the client", arguments: ServerKind.allCases, [
            Pair(client: .php, worker: .perl),
            Pair(client: .perl, worker: .gear),
            Pair(client: .gear, worker: .gearman3),
            Pair(client: .gearman3, worker: .php),
            Pair(client: .cli, worker: .perl),
        ])
        func workStatus(server: ServerKind, pair: Pair) async throws {
            try await InteropSession.run(server) { session in
                try await session.startWorkers([pair.worker])
                let result = try await session.clientResult(pair.client, "submit", ["status", "00"])
                #expect(result.result == "complete")
                switch pair.client {
                case .cli:
                    // One output stream for data and result; status only as a percentage on stderr.
                    #expect(result.text == "chunk1chunk2done")
                    #expect(result.statuses == ["50%", "100%"])
                case .gear, .gearman3:
                    // These libraries keep only the latest WORK_STATUS.
                    #expect(result.text == "done")
                    #expect(result.chunkTexts == ["chunk1", "chunk2"])
                    #expect(result.statuses == ["2/2"])
                case .php, .perl:
                    #expect(result.text == "done")
                    #expect(result.chunkTexts == ["chunk1", "chunk2"])
                    #expect(result.statuses == ["1/2", "2/2"])
                }
            }
        }

        // GET_STATUS: php, perl, gear and gearman3 have it; the gearman CLI does not.
        // gearman3 cannot ask about a handle it did not submit, so it reports only the queued job.
        @Test("GET_STATUS of a queued and of an unknown job", arguments: ServerKind.allCases, [Library.php, .perl, .gear, .gearman3])
        func getStatus(server: ServerKind, client: Library) async throws {
            try await InteropSession.run(server) { session in
                let lines = try await session.client(client, "get-status", ["nobody-serves-this", "00"])
                let queued = try #require(lines.first { $0.query == "queued" })
                #expect(queued.known == true)
                #expect(queued.running == false)
                #expect(queued.numerator == 0)
                #expect(queued.denominator == 0)
                if client != .gearman3 {
                    let unknown = try #require(lines.first { $0.query == "unknown" })
                    #expect(unknown.known == false)
                    #expect(unknown.running == false)
                }
            }
        }
    }
}
