import Foundation
import ProcessSupport

/// A child process whose standard output and error go to temporary files (no pipe can fill up),
/// found by `PATH`, and that is always ended by `stop()` (at the latest when released).
final class ChildProcess: Sendable {
    private let exit: ProcessExit
    private let outputURL: URL
    private let errorURL: URL
    let pid: Int32
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
        let process = Self.process(command)
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.standardOutput = try FileHandle(forWritingTo: outputURL)
        process.standardError = try FileHandle(forWritingTo: errorURL)
        exit = try ProcessExit(running: process)
        pid = process.processIdentifier
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(at: outputURL)
        try? FileManager.default.removeItem(at: errorURL)
    }

    var isRunning: Bool { !exit.hasEnded }
    var output: String { (try? String(contentsOf: outputURL, encoding: .utf8)) ?? "" }
    var errorOutput: String { (try? String(contentsOf: errorURL, encoding: .utf8)) ?? "" }

    /// Waits for the process to exit by itself; past `timeout` it is stopped and this throws.
    func waitForExit(timeout: Duration) async throws -> Int32 {
        do {
            try await waitUntil("\(commandLine) to exit", timeout: timeout) { exit.hasEnded }
        } catch {
            stop()
            throw InteropError("\(error); its stderr: \(errorOutput)")
        }
        return await exit.wait().status
    }

    /// Ends the process: SIGTERM and up to `grace` to exit, then SIGKILL. Peers get no grace:
    /// libgearman workers block SIGTERM and nothing of theirs needs a clean end.
    func stop(grace: Duration = .zero) {
        guard isRunning else { return }
        kill(pid, SIGTERM)
        if exit.wait(timeout: grace) == nil {
            kill(pid, SIGKILL)
            _ = exit.wait(timeout: .seconds(10))
        }
    }

    /// Runs `command` to completion with its output discarded; returns its exit status. One that runs for a minute is
    /// killed.
    static func runQuietly(_ command: [String]) throws -> Int32 {
        let process = process(command)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        let exit = try ProcessExit(running: process)
        if let termination = exit.wait(timeout: .seconds(60)) { return termination.status }
        kill(process.processIdentifier, SIGKILL)
        return -1
    }

    /// `command` found by `PATH`, with nothing on its standard input.
    private static func process(_ command: [String]) -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = command
        process.standardInput = FileHandle.nullDevice
        return process
    }
}
