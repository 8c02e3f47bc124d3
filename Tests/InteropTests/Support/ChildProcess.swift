import Foundation

/// A child process whose standard output and error go to temporary files (no pipe can fill up),
/// found by `PATH`, and that is always ended by `stop()` (at the latest when released).
final class ChildProcess: @unchecked Sendable {
    private let process = Process()
    private let outputURL: URL
    private let errorURL: URL
    let commandLine: String

    init(_ command: [String], environment: [String: String] = [:]) throws {
        commandLine = command.joined(separator: " ")
        let directory = FileManager.default.temporaryDirectory
        let name = UUID().uuidString
        outputURL = directory.appendingPathComponent("interop-\(name).out")
        errorURL = directory.appendingPathComponent("interop-\(name).err")
        guard FileManager.default.createFile(atPath: outputURL.path, contents: nil),
            FileManager.default.createFile(atPath: errorURL.path, contents: nil)
        else { throw InteropError("cannot create output files in \(directory.path)") }
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = command
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = try FileHandle(forWritingTo: outputURL)
        process.standardError = try FileHandle(forWritingTo: errorURL)
        try process.run()
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(at: outputURL)
        try? FileManager.default.removeItem(at: errorURL)
    }

    var pid: Int32 { process.processIdentifier }
    var isRunning: Bool { process.isRunning }
    var output: String { (try? String(contentsOf: outputURL, encoding: .utf8)) ?? "" }
    var errorOutput: String { (try? String(contentsOf: errorURL, encoding: .utf8)) ?? "" }

    /// Waits for the process to exit by itself; past `timeout` it is stopped and this throws.
    func waitForExit(timeout: Duration) async throws -> Int32 {
        do {
            try await waitUntil("\(commandLine) to exit", timeout: timeout) { !process.isRunning }
        } catch {
            stop()
            throw InteropError("\(error); its stderr: \(errorOutput)")
        }
        return process.terminationStatus
    }

    /// Ends the process: SIGTERM and up to `grace` to exit, then SIGKILL. Peers get no grace:
    /// libgearman workers block SIGTERM and nothing of theirs needs a clean end.
    func stop(grace: Duration = .zero) {
        guard process.isRunning else { return }
        process.terminate()
        let deadline = ContinuousClock.now + grace
        while process.isRunning && ContinuousClock.now < deadline {
            usleep(10_000)
        }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
        }
        process.waitUntilExit()
    }

    /// Runs `command` to completion with its output discarded; returns its exit status.
    static func runQuietly(_ command: [String]) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = command
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }
}
