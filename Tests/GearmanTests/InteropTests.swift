import Foundation
import Gearman
import Testing

/// A Gearman library of another language, driven through a script in `Peers/`.
enum Peer: String, CaseIterable, Sendable, CustomTestStringConvertible {
    /// PHP's `gearman` extension (libgearman).
    case php
    /// Perl's Gearman::Client and Gearman::Worker.
    case perl
    /// Python's `gear`.
    case gear
    /// Python's `gearman3`, the python-gearman API.
    case gearman3

    var testDescription: String { rawValue }

    private static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Peers")

    private var command: [String] {
        switch self {
        case .php: ["php", Self.directory.appendingPathComponent("peer.php").path]
        case .perl: ["perl", Self.directory.appendingPathComponent("peer.pl").path]
        case .gear: ["python3", Self.directory.appendingPathComponent("peer_gear.py").path]
        case .gearman3: ["python3", Self.directory.appendingPathComponent("peer_gearman3.py").path]
        }
    }

    /// Starts a worker that serves one job of `function`, answering "<peer>:" + the reversed payload.
    func worker(_ server: TestServer, function: String) throws -> ChildProcess {
        try ChildProcess(command + ["worker", "127.0.0.1", String(server.port), function])
    }

    /// Submits `payload` to `function` in the foreground and returns what the script printed.
    func submit(_ server: TestServer, function: String, payload: String) async throws -> ProcessOutput {
        try await ChildProcess.run(command + ["client", "127.0.0.1", String(server.port), function, payload])
    }
}

@Suite(.serialized, .timeLimit(.minutes(1)))
struct InteropTests {
    @Test(arguments: ServerKind.allCases, Peer.allCases)
    func ourWorkerServesTheirClient(_ kind: ServerKind, _ peer: Peer) async throws {
        try await withServer(kind) { server, _, worker in
            worker.register("reverse") { job in String(try job.payload(as: String.self).reversed()) }
            let running = Task { await worker.run() }
            let output = try await peer.submit(server, function: "reverse", payload: "hello from \(peer)")
            #expect(output.status == 0, "\(output.stderr)")
            #expect(output.stdout == String("hello from \(peer)".reversed()))
            worker.stop()
            await running.value
        }
    }

    @Test(arguments: ServerKind.allCases, Peer.allCases)
    func theirWorkerServesOurClient(_ kind: ServerKind, _ peer: Peer) async throws {
        try await withServer(kind) { server, client, _ in
            let worker = try peer.worker(server, function: "reverse")
            let job = try await client.submit("reverse", payload: "hello", timeout: .seconds(30))
            #expect(try await job.result(as: String.self) == "\(peer):olleh")
            let output = try await worker.finish()
            #expect(output.status == 0, "\(output.stderr)")
        }
    }
}
