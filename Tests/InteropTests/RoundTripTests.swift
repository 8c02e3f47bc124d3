import Testing

extension InteropTests {
    @Suite("Foreground round trips")
    struct RoundTrip {
        @Test("reverse, binary echo with NUL bytes, WORK_FAIL", arguments: ServerKind.allCases, Pair.ring)
        func roundTrips(server: ServerKind, pair: Pair) async throws {
            let binary: [UInt8] = [0x00, 0x01, 0xFF, 0x00, 0x0A, 0x7F, 0x80, 0x00, 0x00, 0x0D, 0xFE]
            try await InteropSession.run(server) { session in
                try await session.startWorkers([pair.worker])
                let reversed = try await session.clientResult(pair.client, "submit", ["reverse", Hex.encode("Hello, interop!")])
                #expect(reversed.result == "complete")
                #expect(reversed.text == "!poretni ,olleH")

                let echoed = try await session.clientResult(pair.client, "submit", ["echo", Hex.encode(binary)])
                #expect(echoed.result == "complete")
                #expect(echoed.bytes == binary)

                let failed = try await session.clientResult(pair.client, "submit", ["fail", "00"])
                #expect(failed.result == "fail")
            }
        }

        // The gearman CLI takes the large scenario out: as a client it reads standard input in
        // quadratic time (4 MB takes 6 s), as a worker it deadlocks on payloads over the 64 KiB pipe buffer.
        @Test("16 MiB payload", arguments: ServerKind.allCases, [
            Pair(client: .php, worker: .perl),
            Pair(client: .perl, worker: .gear),
            Pair(client: .gear, worker: .gearman3),
            Pair(client: .gearman3, worker: .php),
        ])
        func large(server: ServerKind, pair: Pair) async throws {
            let size = 16 << 20
            try await InteropSession.run(server) { session in
                try await session.startWorkers([pair.worker])
                let result = try await session.clientResult(pair.client, "large", ["\(size)"], timeout: .seconds(100))
                #expect(result.result == "complete")
                #expect(result.size == size)
                #expect(result.match == true)
            }
        }
    }
}
