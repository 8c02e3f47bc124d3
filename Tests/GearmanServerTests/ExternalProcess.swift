import Foundation
import ProcessSupport

/// Runs a program to completion with a bounded wait, collecting its exit status and combined output.
struct ExternalProcess {
    struct Outcome {
        let status: Int32
        let output: String
    }

    struct TimedOut: Error, CustomStringConvertible {
        let command: [String]
        var description: String { "timed out: \(command.joined(separator: " "))" }
    }

    /// `python3` with a script from `Fixtures/python`.
    static func python(_ script: String, _ arguments: [String], timeout: Duration = .seconds(60)) async throws -> Outcome {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/python/\(script)").path
        return try await run(["/usr/bin/env", "python3", path] + arguments, timeout: timeout)
    }

    static func run(_ command: [String], timeout: Duration = .seconds(60)) async throws -> Outcome {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: command[0])
        process.arguments = Array(command.dropFirst())
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        let exit = try ProcessExit(running: process)
        // Read while it runs, so a chatty process never blocks on a full pipe.
        let reader = Task.detached { pipe.fileHandleForReading.readDataToEndOfFile() }
        let finished = try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask {
                _ = await exit.wait()
                return true
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                return false
            }
            defer { group.cancelAll() }
            return try await group.next()!
        }
        if !finished {
            kill(process.processIdentifier, SIGKILL)
            _ = await exit.wait()
            throw TimedOut(command: command)
        }
        let output = String(decoding: await reader.value, as: UTF8.self)
        return Outcome(status: await exit.wait().status, output: output)
    }
}
