import Foundation
import NIOCore
import NIOPosix

/// The `geard` executable, which `swift build --build-tests` puts next to the test bundle.
let geardPath = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("geard").path

/// Runs `body` against a `geard -d` process on a free loopback port, stopping it afterwards.
/// `log`, when given, receives its standard error.
func withGeard<T>(_ arguments: [String], log: String? = nil, _ body: (_ port: Int, _ process: Process) async throws -> T) async throws -> T {
    let port = try await freePort()
    let process = Process()
    process.executableURL = URL(fileURLWithPath: geardPath)
    process.arguments = ["-d", "-p", "\(port)", "--listen-address", "127.0.0.1"] + arguments
    process.standardError = log.flatMap { FileHandle(forWritingAtPath: $0) } ?? FileHandle.nullDevice
    try process.run()
    defer {
        process.terminate()
        process.waitUntilExit()
    }
    try await waitUntil {
        guard let probe = try? await TestPeer(port: port) else { return false }
        await probe.close()
        return true
    }
    return try await body(port, process)
}

func withGeard<T>(_ arguments: [String], _ body: (_ port: Int) async throws -> T) async throws -> T {
    try await withGeard(arguments) { port, _ in try await body(port) }
}

/// A port nothing listens on right now (bound and released).
private func freePort() async throws -> Int {
    let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
    let port = channel.localAddress!.port!
    try await channel.close()
    return port
}

/// Stress tests (connection floods, load) saturate the machine and would starve every other test's timeouts,
/// so they run only when asked for, in a pass of their own.
let stressTestsEnabled = ProcessInfo.processInfo.environment["GEARMAN_STRESS_TESTS"] != nil
