import Foundation
import NIOCore
import NIOPosix
import ProcessSupport

/// A `geard` started as a real process on a free loopback port, for tests that kill or restart it.
final class GeardProcess: Sendable {
    let port: Int
    let pid: Int32
    private let exit: ProcessExit

    /// The binary built next to the test bundle, or `$GEARD_PATH`.
    static var binary: URL {
        if let path = ProcessInfo.processInfo.environment["GEARD_PATH"] { return URL(fileURLWithPath: path) }
        let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        return bundle.appendingPathComponent("geard")
    }

    /// A port that was free a moment ago.
    static func freePort() throws -> Int {
        let channel = try ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).wait()
        defer { try? channel.close().wait() }
        return channel.localAddress!.port!
    }

    /// Starts `geard -d` with `arguments` and waits until it accepts connections; its standard error goes to
    /// `standardError` when given.
    init(port: Int? = nil, _ arguments: [String], standardError: FileHandle? = nil) async throws {
        self.port = try port ?? Self.freePort()
        let process = Process()
        process.executableURL = Self.binary
        process.arguments = ["-d", "--port", String(self.port), "--listen-address", "127.0.0.1", "--log-level", "warning"] + arguments
        if let standardError { process.standardError = standardError }
        exit = try ProcessExit(running: process)
        pid = process.processIdentifier
        let deadline = ContinuousClock.now + .seconds(20)
        while true {
            if let channel = try? await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connect(host: "127.0.0.1", port: self.port).get()
            {
                try? await channel.close()
                return
            }
            guard isRunning, ContinuousClock.now < deadline else {
                throw StartFailed(status: exit.termination?.status)
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    struct StartFailed: Error {
        let status: Int32?
    }

    var isRunning: Bool { !exit.hasEnded }

    /// Sends `signal` and waits until the process has exited.
    func kill(_ signal: Int32) async {
        Foundation.kill(pid, signal)
        _ = await exit.wait()
    }

    /// Runs `geard` with `arguments` to completion and returns its exit status; its standard streams go to
    /// `standardOutput` and `standardError` (/dev/null by default).
    static func run(
        _ arguments: [String], standardOutput: FileHandle = .nullDevice, standardError: FileHandle = .nullDevice
    ) async throws -> Int32 {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        process.standardOutput = standardOutput
        process.standardError = standardError
        return try await ProcessExit(running: process).wait().status
    }

    deinit {
        if isRunning { Foundation.kill(pid, SIGKILL) }
    }
}
