import Foundation
import Gearman
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import ProcessSupport
import Testing

/// Which job server an integration test runs against.
enum ServerKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    /// The reference C server, `/usr/sbin/gearmand`.
    case gearmand
    /// Our server, the `geard` executable built next to the tests.
    case geard

    var testDescription: String { rawValue }

    /// gearmand reads CAN_DO_TIMEOUT in milliseconds.
    var timeoutUnit: FunctionRegistration.TimeoutUnit { self == .gearmand ? .milliseconds : .seconds }

    fileprivate func command(port: Int) -> (executable: URL, arguments: [String]) {
        switch self {
        case .gearmand:
            (URL(fileURLWithPath: "/usr/sbin/gearmand"), ["-p", String(port), "-L", "127.0.0.1", "--log-file=none", "-t", "1"])
        case .geard:
            (builtProduct("geard"), ["-d", "--port", String(port), "--listen-address", "127.0.0.1", "--queue", "memory", "--log-level", "error"])
        }
    }
}

/// An executable of this package, built next to the test binary (`swift build --build-tests` builds every product).
func builtProduct(_ name: String) -> URL {
    Bundle.main.executableURL!.deletingLastPathComponent().appendingPathComponent(name)
}

/// A job server process on a free loopback port, for one test. Killed when released.
final class TestServer: Sendable {
    typealias Command = @Sendable (_ port: Int) -> (executable: URL, arguments: [String])

    let port: Int
    private let command: Command
    private let pid: Int32
    private let exit: ProcessExit

    var address: ServerAddress { ServerAddress(host: "127.0.0.1", port: port) }

    /// Starts a server of `kind` (on `port`, or a free one) and waits until it accepts connections.
    convenience init(_ kind: ServerKind, port: Int? = nil) async throws {
        try await self.init(port: port) { kind.command(port: $0) }
    }

    /// Starts `geard` as ``ServerKind/geard`` does, with `arguments` added.
    static func geard(_ arguments: [String]) async throws -> TestServer {
        try await TestServer(port: nil) { port in
            let (executable, standard) = ServerKind.geard.command(port: port)
            return (executable, standard + arguments)
        }
    }

    /// Starts python `gear`'s geard (the seed's server) with `arguments` added, e.g. its `--ssl-*` and `--acl` options.
    static func pythonGeard(_ arguments: [String]) async throws -> TestServer {
        try await TestServer(port: nil) { port in
            (URL(fileURLWithPath: "/usr/bin/env"),
             ["python3", "-c", "import sys; from gear.cmd.geard import main; sys.exit(main())",
              "-d", "-p", String(port), "--listen-address", "127.0.0.1"] + arguments)
        }
    }

    private init(port: Int?, command: @escaping Command) async throws {
        (self.pid, self.exit, self.port) = try await Self.launch(command, port: port)
        self.command = command
    }

    /// A server that exited before it listened: usually one that could not bind its port.
    struct ServerExited: Error, CustomStringConvertible {
        let description: String
    }

    /// Starts `command` on `port`, or on a free port, and waits until it accepts connections. A free port can be
    /// taken by another process between ``freePort()`` and the server's bind; then the server exits and the next
    /// free port is tried.
    private static func launch(_ command: Command, port fixedPort: Int?, attempts: Int = 3) async throws -> (Int32, ProcessExit, Int) {
        for attempt in 1...attempts {
            let port = try fixedPort ?? freePort()
            let (executable, arguments) = command(port)
            let process = Process()
            process.executableURL = executable
            process.arguments = arguments
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            let exit = try ProcessExit(running: process)
            let pid = process.processIdentifier
            do {
                try await eventually("server listening on \(port)", timeout: .seconds(20)) {
                    guard !exit.hasEnded else { throw ServerExited(description: "\(executable.path) \(arguments) exited") }
                    // Another server of this run may have bound the port between freePort() and our server's bind.
                    return await accepts(port: port) && listens(pid: pid, port: port)
                }
                return (pid, exit, port)
            } catch is ServerExited where fixedPort == nil && attempt < attempts {
                continue
            } catch {
                if !exit.hasEnded { Foundation.kill(pid, SIGKILL) }
                throw error
            }
        }
        preconditionFailure("the last attempt returns or throws")
    }

    /// Starts the same server on the same port (after ``kill()``).
    func restart() async throws -> TestServer {
        try await TestServer(port: port, command: command)
    }

    /// Kills the server (SIGKILL, as a crash) and waits until it is gone.
    func kill() {
        guard !exit.hasEnded else { return }
        Foundation.kill(pid, SIGKILL)
        // An exited process has closed its sockets: its listening socket no longer accepts.
        _ = exit.wait(timeout: .seconds(5))
    }

    /// Freezes the server (SIGSTOP): connections stay open, nothing is answered.
    func pause() {
        Foundation.kill(pid, SIGSTOP)
    }

    /// Bytes that clients sent and the server has not read yet, over all its connections (Linux `/proc/net/tcp`).
    func unreadBytes() -> Int {
        Self.tcpSockets(localPort: port, state: "01").reduce(0) { total, fields in
            total + (Int(fields[4].split(separator: ":")[1], radix: 16) ?? 0)
        }
    }

    /// The fields of the IPv4 TCP sockets on `localPort` in `state` ("01" established, "0A" listening), from Linux
    /// `/proc/net/tcp`: sl local_address rem_address st tx_queue:rx_queue tr:when retrnsmt uid timeout inode ...
    private static func tcpSockets(localPort: Int, state: String) -> [[Substring]] {
        // Read to EOF: procfs files report size 0, and one read returns a single page.
        guard let file = FileHandle(forReadingAtPath: "/proc/net/tcp") else { return [] }
        defer { try? file.close() }
        let table = String(decoding: file.readDataToEndOfFile(), as: UTF8.self)
        let suffix = String(format: ":%04X", localPort)
        return table.split(separator: "\n").dropFirst().map { $0.split(separator: " ") }.filter { fields in
            fields.count > 9 && fields[1].hasSuffix(suffix) && fields[3] == state
        }
    }

    /// Whether the socket listening on `port` is one of process `pid`'s.
    private static func listens(pid: Int32, port: Int) -> Bool {
        let listening = Set(tcpSockets(localPort: port, state: "0A").map { "socket:[\($0[9])]" })
        let descriptors = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd")) ?? []
        return descriptors.contains { descriptor in
            (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/fd/\(descriptor)")).map(listening.contains) ?? false
        }
    }

    deinit { kill() }

    /// Ports handed out by ``freePort()``, never twice: a killed server keeps its port for ``restart()``, so no
    /// other test of this run may start a server on it in between.
    private static let handedOut = NIOLockedValueBox(Set<Int>())

    /// A loopback port nothing listens on, not handed out before in this run.
    static func freePort() throws -> Int {
        while true {
            let channel = try ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .bind(host: "127.0.0.1", port: 0).wait()
            let port = channel.localAddress!.port!
            try? channel.close().wait()
            if handedOut.withLockedValue({ $0.insert(port).inserted }) { return port }
        }
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

/// Waits until `condition` holds, checking every 10 ms, failing after `timeout` (generous: CI shares two cores).
func eventually(_ what: String, timeout: Duration = .seconds(10), _ condition: () async throws -> Bool) async throws {
    let deadline = ContinuousClock.now + timeout
    while try await !condition() {
        guard ContinuousClock.now < deadline else { throw TimedOut(description: "timed out waiting for \(what)") }
        try await Task.sleep(for: .milliseconds(10))
    }
}

/// A client and worker connected to one fresh server of `kind`, shut down after `body`.
func withServer<T>(
    _ kind: ServerKind,
    clientConfiguration: GearmanClient.Configuration = .init(),
    _ body: (TestServer, GearmanClient, GearmanWorker) async throws -> T
) async throws -> T {
    let server = try await TestServer(kind)
    let client = GearmanClient(servers: [server.address], configuration: clientConfiguration)
    let worker = GearmanWorker(servers: [server.address], configuration: .init(timeoutUnit: kind.timeoutUnit))
    do {
        try await client.waitForServer(timeout: .seconds(20))
        try await worker.waitForServer(timeout: .seconds(20))
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
