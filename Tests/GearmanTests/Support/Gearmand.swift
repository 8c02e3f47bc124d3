import Foundation
import Gearman
import NIOCore
import NIOPosix

/// A gearmand process on a free loopback port, for one test.
final class Gearmand: Sendable {
    static let executable = "/usr/sbin/gearmand"
    let port: Int
    private let process: Process

    var address: ServerAddress { ServerAddress(host: "127.0.0.1", port: port) }

    /// Starts gearmand (on `port`, or a free one) and waits until it accepts connections.
    init(port: Int? = nil) async throws {
        let port = try port ?? Self.freePort()
        self.port = port
        process = Process()
        process.executableURL = URL(fileURLWithPath: Self.executable)
        process.arguments = ["-p", String(port), "-L", "127.0.0.1", "--log-file=none", "-t", "1"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        try await eventually("gearmand listening on \(port)") { await Self.accepts(port: port) }
    }

    /// Kills the server (SIGKILL, as a crash) and waits for it to exit.
    func kill() {
        guard process.isRunning else { return }
        Foundation.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    deinit { kill() }

    static func freePort() throws -> Int {
        let channel = try ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(host: "127.0.0.1", port: 0).wait()
        defer { try? channel.close().wait() }
        return channel.localAddress!.port!
    }

    static func accepts(port: Int) async -> Bool {
        do {
            let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connect(host: "127.0.0.1", port: port).get()
            try? await channel.close()
            return true
        } catch {
            return false
        }
    }
}

struct TimedOut: Error, CustomStringConvertible {
    let description: String
}

/// Waits until `condition` holds, checking every 10 ms, failing after `timeout`.
func eventually(_ what: String, timeout: Duration = .seconds(5), _ condition: () async throws -> Bool) async throws {
    let deadline = ContinuousClock.now + timeout
    while try await !condition() {
        guard ContinuousClock.now < deadline else { throw TimedOut(description: "timed out waiting for \(what)") }
        try await Task.sleep(for: .milliseconds(10))
    }
}

/// A client and worker connected to one fresh gearmand, shut down after `body`.
func withServer<T>(
    clientConfiguration: GearmanClient.Configuration = .init(),
    _ body: (Gearmand, GearmanClient, GearmanWorker) async throws -> T
) async throws -> T {
    let server = try await Gearmand()
    let client = GearmanClient(servers: [server.address], configuration: clientConfiguration)
    let worker = GearmanWorker(servers: [server.address])
    do {
        try await client.waitForServer(timeout: .seconds(5))
        try await worker.waitForServer(timeout: .seconds(5))
        let result = try await body(server, client, worker)
        await worker.shutdown()
        await client.shutdown()
        return result
    } catch {
        await worker.shutdown()
        await client.shutdown()
        throw error
    }
}
