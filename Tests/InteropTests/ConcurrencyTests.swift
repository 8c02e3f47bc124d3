import Testing

extension InteropTests {
    @Suite("Many clients")
    struct Concurrency {
        @Test("50 concurrent clients of every library, served by workers of every library", arguments: ServerKind.allCases)
        func fiftyClients(server: ServerKind) async throws {
            try await InteropSession.run(server) { session in
                try await session.startWorkers(Library.allCases)
                let clients = (0..<50).map { index in (index, Library.allCases[index % Library.allCases.count]) }
                let results = try await withThrowingTaskGroup(of: (Int, PeerResult).self) { group in
                    for (index, library) in clients {
                        group.addTask {
                            let result = try await session.clientResult(
                                library, "submit", ["reverse", Hex.encode("client-\(index)")], timeout: .seconds(90)
                            )
                            return (index, result)
                        }
                    }
                    return try await group.reduce(into: [Int: PeerResult]()) { $0[$1.0] = $1.1 }
                }
                #expect(results.count == 50)
                for (index, library) in clients {
                    #expect(results[index]?.text == String("client-\(index)".reversed()), "client \(index) (\(library))")
                }
            }
        }
    }
}
