import Foundation
import ProcessSupport

/// What a finished child process left behind.
struct ProcessOutput: Sendable {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// A child process with captured output, killed when it outlives its time limit or is released.
final class ChildProcess: Sendable {
    private let process: Process
    private let exit: ProcessExit
    private let output: Task<(stdout: Data, stderr: Data), Never>

    /// Starts `arguments[0]` (an absolute path, or a name looked up in `PATH`) with the rest as its arguments
    /// and `input` on stdin.
    init(_ arguments: [String], input: Data = Data()) throws {
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        exit = try ProcessExit(running: process)
        output = Task {
            async let written: Void = Self.blocking {
                try? stdin.fileHandleForWriting.write(contentsOf: input)
                try? stdin.fileHandleForWriting.close()
            }
            async let out = Self.blocking { stdout.fileHandleForReading.readDataToEndOfFile() }
            async let err = Self.blocking { stderr.fileHandleForReading.readDataToEndOfFile() }
            _ = await written
            return await (out, err)
        }
    }

    /// Waits for the process to exit, killing it after `timeout`, and returns its status and output.
    func finish(timeout: Duration = .seconds(30)) async throws -> ProcessOutput {
        let timer = Task { () -> Bool in
            do { try await Task.sleep(for: timeout) } catch { return false }
            kill()
            return true
        }
        let status = await exit.wait().status
        timer.cancel()
        let (out, err) = await output.value
        let result = ProcessOutput(status: status, stdout: String(decoding: out, as: UTF8.self), stderr: String(decoding: err, as: UTF8.self))
        if await timer.value {
            throw TimedOut(description: "\(process.arguments ?? []) did not exit within \(timeout); stderr: \(result.stderr)")
        }
        return result
    }

    /// Kills the process (SIGKILL) if it still runs.
    func kill() {
        if !exit.hasEnded { Foundation.kill(process.processIdentifier, SIGKILL) }
    }

    deinit { kill() }

    /// Runs a command to the end.
    static func run(_ arguments: [String], input: String = "", timeout: Duration = .seconds(30)) async throws -> ProcessOutput {
        try await ChildProcess(arguments, input: Data(input.utf8)).finish(timeout: timeout)
    }

    /// Runs blocking pipe I/O off the cooperative thread pool.
    private static func blocking<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: body()) }
        }
    }
}
