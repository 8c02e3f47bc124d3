import Foundation
import Gearman
import NIOCore
import Testing

/// A Gearman library of another language, driven through the peer scripts of `Tests/InteropTests/Peers`
/// (their README gives the scenarios).
enum Peer: String, CaseIterable, Sendable, CustomTestStringConvertible {
    /// PHP's `gearman` extension (libgearman).
    case php
    /// Perl's Gearman::Client and Gearman::Worker.
    case perl
    /// Python's `gear`.
    case gear
    /// Python's `gearman3`, the python-gearman API.
    case gearman3
    /// The `gearman` command line of gearman-tools.
    case cli

    var testDescription: String { rawValue }

    private static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("InteropTests/Peers")

    private func command(_ role: String) -> [String] {
        let (interpreter, script) = switch self {
        case .php: ("php", "php_\(role).php")
        case .perl: ("perl", "perl_\(role).pl")
        case .gear: ("python3", "gear_\(role).py")
        case .gearman3: ("python3", "gearman3_\(role).py")
        case .cli: ("python3", "cli_\(role).py")
        }
        return [interpreter, Self.directory.appendingPathComponent(script).path]
    }

    /// Whether the peer's worker serves `exception` (`gearman -w` cannot send WORK_EXCEPTION).
    var workerSendsExceptions: Bool { self != .cli }

    /// Starts the peer's worker, serving `reverse`, `fail`, `exception` and more until killed.
    func worker(_ server: TestServer) throws -> ChildProcess {
        try ChildProcess(command("worker") + ["127.0.0.1", String(server.port)])
    }

    /// What a peer client prints for a job: `complete`, `fail` or `exception`, and the data in hex.
    struct Answer: Decodable {
        var result: String
        var data: String?
    }

    /// The peer's client submits `payload` to `function` in the foreground.
    func submit(_ server: TestServer, function: String, payload: String) async throws -> Answer {
        let output = try await ChildProcess.run(command("client") + ["127.0.0.1", String(server.port), "submit", function, hex(payload)])
        guard output.status == 0, let line = output.stdout.split(separator: "\n").last else {
            throw TimedOut(description: "\(self) client failed: \(output.stderr)")
        }
        return try JSONDecoder().decode(Answer.self, from: Data(line.utf8))
    }
}

/// The hex form the peer scripts use for payloads.
func hex(_ text: String) -> String {
    text.utf8.map { String(format: "%02x", $0) }.joined()
}

@Suite(.serialized, .timeLimit(.minutes(2)))
struct InteropTests {
    @Test(arguments: ServerKind.allCases, Peer.allCases)
    func ourWorkerServesTheirClient(_ kind: ServerKind, _ peer: Peer) async throws {
        try await withServer(kind) { server, _, worker in
            worker.register("reverse") { job in String(try job.payload(as: String.self).reversed()) }
            worker.register("fail") { _ in throw WorkFailure() }
            let running = Task { await worker.run() }
            let reversed = try await peer.submit(server, function: "reverse", payload: "hello from \(peer)")
            #expect(reversed.result == "complete" && reversed.data == hex(String("hello from \(peer)".reversed())))
            #expect(try await peer.submit(server, function: "fail", payload: "x").result == "fail")
            worker.stop()
            await running.value
        }
    }

    @Test(arguments: ServerKind.allCases, Peer.allCases)
    func theirWorkerServesOurClient(_ kind: ServerKind, _ peer: Peer) async throws {
        try await withServer(kind) { server, client, _ in
            let worker = try peer.worker(server)
            defer { worker.kill() }
            let reversed = try await client.submit("reverse", payload: "hello", timeout: .seconds(30))
            #expect(try await reversed.result(as: String.self) == "olleh")
            let failed = try await client.submit("fail", payload: "x", timeout: .seconds(30))
            await #expect(throws: GearmanError.jobFailed) { try await failed.result }
            guard peer.workerSendsExceptions else { return }
            let raised = try await client.submit("exception", payload: "x", timeout: .seconds(30))
            await #expect(throws: GearmanError.jobException(ByteBuffer(string: "boom"))) { try await raised.result }
        }
    }
}
