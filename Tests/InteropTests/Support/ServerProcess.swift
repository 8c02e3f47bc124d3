import Foundation

/// A Gearman server running as a real process on a free loopback port, ready to answer.
final class ServerProcess: Sendable {
    let kind: ServerKind
    let port: Int
    let host = "127.0.0.1"
    private let child: ChildProcess
    private let stateDirectory: URL

    private init(kind: ServerKind, port: Int, child: ChildProcess, stateDirectory: URL) {
        self.kind = kind
        self.port = port
        self.child = child
        self.stateDirectory = stateDirectory
    }

    deinit {
        child.stop(grace: .seconds(5))
        try? FileManager.default.removeItem(at: stateDirectory)
    }

    /// Starts `kind` on a free port (retrying on a port clash) and waits until it answers `version`.
    static func start(_ kind: ServerKind) async throws -> ServerProcess {
        var lastError: any Error = InteropError("\(kind) was not started")
        for _ in 0..<3 {
            let port = try freeLoopbackPort()
            let stateDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("interop-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: stateDirectory, withIntermediateDirectories: true)
            let server = ServerProcess(
                kind: kind, port: port,
                child: try ChildProcess(try kind.command(port: port, stateDirectory: stateDirectory)),
                stateDirectory: stateDirectory
            )
            do {
                try await waitUntil("\(kind) to answer on port \(port)", timeout: .seconds(15)) {
                    guard server.child.isRunning else { throw InteropError("\(kind) exited at start: \(server.errorOutput)") }
                    return (try? AdminConnection(port: port).line("version")) != nil
                }
                return server
            } catch {
                lastError = error
            }
        }
        throw lastError
    }

    var pid: Int32 { child.pid }

    /// A fresh admin connection.
    func admin() throws -> AdminConnection {
        try AdminConnection(port: port)
    }

    /// The admin `status` lines, by function.
    func status() throws -> [String: FunctionStatus] {
        let lines = try admin().list("status").compactMap(FunctionStatus.init(line:))
        return Dictionary(lines.map { ($0.function, $0) }) { first, _ in first }
    }

    /// What the server printed on standard error (for failure messages).
    var errorOutput: String { child.errorOutput }
}
