import Foundation
import Synchronization

/// One scenario's world: a fresh server process plus the peer workers and clients run against it.
/// `InteropSession.run` ends every process it started, whatever the outcome.
final class InteropSession: Sendable {
    let server: ServerProcess
    private let workers = Mutex<[ChildProcess]>([])
    private let scratch: URL

    private init(server: ServerProcess, scratch: URL) {
        self.server = server
        self.scratch = scratch
    }

    /// Starts a `kind` server, runs `body`, then stops the workers and the server.
    static func run(_ kind: ServerKind, _ body: (InteropSession) async throws -> Void) async throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("interop-scratch-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let session = InteropSession(server: try await ServerProcess.start(kind), scratch: scratch)
        defer { session.stopWorkers() }
        try await body(session)
    }

    /// A path for a file in this session's scratch directory (for workers' side effects).
    func scratchFile(_ name: String) -> String {
        scratch.appendingPathComponent(name).path
    }

    /// Starts one worker per entry of `libraries` and waits until each function has them all.
    func startWorkers(_ libraries: [Library]) async throws {
        for library in libraries {
            try library.requireInstalled()
        }
        let started = try libraries.map { try ChildProcess($0.command(.worker) + [server.host, "\(server.port)"]) }
        workers.withLock { $0 += started }
        let expected = Dictionary(libraries.flatMap(\.workerFunctions).map { ($0, 1) }, uniquingKeysWith: +)
        try await waitUntil("workers \(libraries) to register \(expected.keys.sorted())") {
            if let dead = started.first(where: { !$0.isRunning }) {
                throw InteropError("worker exited: \(dead.commandLine): \(dead.errorOutput)")
            }
            let status = try server.status()
            return expected.allSatisfy { function, count in (status[function]?.workers ?? 0) >= count }
        }
    }

    /// Runs `library`'s client for `scenario` to completion and returns the JSON lines it printed.
    func client(
        _ library: Library, _ scenario: String, _ arguments: [String] = [], timeout: Duration = .seconds(45)
    ) async throws -> [PeerResult] {
        try library.requireInstalled()
        let command = library.command(.client) + [server.host, "\(server.port)", scenario] + arguments
        let child = try ChildProcess(command)
        let status = try await child.waitForExit(timeout: timeout)
        guard status == 0 else {
            throw InteropError("\(library) client exited \(status): \(child.commandLine)\n\(child.errorOutput)")
        }
        return try child.output.split(separator: "\n").map { line in
            try JSONDecoder().decode(PeerResult.self, from: Data(line.utf8))
        }
    }

    /// Like `client`, for a scenario that prints exactly one line.
    func clientResult(
        _ library: Library, _ scenario: String, _ arguments: [String] = [], timeout: Duration = .seconds(45)
    ) async throws -> PeerResult {
        let lines = try await client(library, scenario, arguments, timeout: timeout)
        guard lines.count == 1, let line = lines.first else {
            throw InteropError("expected one result line from the \(library) client (\(scenario)), got \(lines.count)")
        }
        return line
    }

    private func stopWorkers() {
        for worker in workers.withLock({ $0 }) {
            worker.stop()
        }
    }
}
