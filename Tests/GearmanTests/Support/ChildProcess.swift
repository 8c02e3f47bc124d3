import Foundation

/// What a finished child process left behind.
struct ProcessOutput: Sendable {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// A child process with captured output, killed when it outlives its time limit or is released.
final class ChildProcess: Sendable {
    private let process: Process
    private let output: Task<(stdout: Data, stderr: Data), Never>
    /// The exit status, or the signal that ended the process.
    private let exited: Task<Int32, Never>

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
        // Whichever learns of the exit first reports it: Foundation, or `waitid` (see ``waitForExit(of:)``).
        let (exits, exit) = AsyncStream.makeStream(of: Int32.self)
        process.terminationHandler = { process in
            exit.yield(process.terminationStatus)
            exit.finish()
        }
        try process.run()
        let pid = process.processIdentifier
        DispatchQueue.global().async {
            guard let status = Self.waitForExit(of: pid) else { return }
            exit.yield(status)
            exit.finish()
        }
        exited = Task {
            for await status in exits { return status }
            preconditionFailure("the stream ends after an exit status")
        }
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
        let status = await exited.value
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
        if process.isRunning { Foundation.kill(process.processIdentifier, SIGKILL) }
    }

    deinit { kill() }

    /// Runs a command to the end.
    static func run(_ arguments: [String], input: String = "", timeout: Duration = .seconds(30)) async throws -> ProcessOutput {
        try await ChildProcess(arguments, input: Data(input.utf8)).finish(timeout: timeout)
    }

    /// Waits until `pid` exits and returns its exit status (or the signal that ended it); `nil` if Foundation has
    /// reaped it already. Foundation learns of an exit when a socket the child inherited closes, and a process another
    /// test spawns meanwhile can inherit that socket too and hide the exit for as long as it runs
    /// (swift-corelibs-foundation#4795). `waitid` with `WNOWAIT` sees the exit itself and leaves the reaping to
    /// Foundation.
    private static func waitForExit(of pid: pid_t) -> Int32? {
        var info = siginfo_t()
        while waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) != 0 {
            guard errno == EINTR else { return nil }
        }
        return info._sifields._sigchld.si_status
    }

    /// Runs blocking calls (pipe I/O, waiting for the exit) off the cooperative thread pool.
    private static func blocking<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: body()) }
        }
    }
}
