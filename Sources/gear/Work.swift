import ArgumentParser
import Foundation
import Gearman
import NIOConcurrencyHelpers
import NIOCore

struct Work: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve a function by running a command per job: payload on stdin, stdout as the result (like gearman -w).")

    @OptionGroup var server: ServerOptions

    @Option(help: "Jobs run at the same time.") var concurrency = 1
    @Option(help: "Server-side job timeout in seconds (CAN_DO_TIMEOUT).") var timeout: Int?
    @Flag(help: "Send the timeout in milliseconds, the unit gearmand reads CAN_DO_TIMEOUT in.") var gearmandTimeout = false
    @Option(help: "Stop after this many jobs.") var count: Int?
    @Argument(help: "Function name.") var function: String
    @Argument(parsing: .postTerminator, help: "Command and arguments.") var command: [String]

    func validate() throws {
        if command.isEmpty { throw ValidationError("missing command after --") }
    }

    func run() async throws {
        let worker = GearmanWorker(servers: try server.addresses, configuration: .init(timeoutUnit: gearmandTimeout ? .milliseconds : .seconds))
        let done = Counter(limit: count)
        let command = command
        worker.register(function, timeout: timeout.map { .seconds($0) }) { job in
            defer { if done.increment() { worker.stop() } }
            return try await Self.execute(command, input: job.payload)
        }
        await worker.run(concurrency: concurrency)
    }

    /// Runs the command with `input` on stdin; a non-zero exit fails the job.
    static func execute(_ command: [String], input: ByteBuffer) async throws -> ByteBuffer {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = command
        let stdin = Pipe()
        let stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        let exited = AsyncStream.makeStream(of: Void.self)
        process.terminationHandler = { _ in exited.continuation.finish() }
        try process.run()
        async let written: Void = blocking {
            // A command may exit without reading its input; the broken pipe is not an error then.
            try? stdin.fileHandleForWriting.write(contentsOf: Data(input.readableBytesView))
            try? stdin.fileHandleForWriting.close()
        }
        let output = await blocking { stdout.fileHandleForReading.readDataToEndOfFile() }
        await written
        for await _ in exited.stream {}
        guard process.terminationStatus == 0 else { throw WorkFailure() }
        return ByteBuffer(data: output)
    }
}

/// Runs blocking pipe I/O on a dispatch thread, leaving the cooperative pool free.
private func blocking<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
        DispatchQueue.global().async { continuation.resume(returning: body()) }
    }
}

/// Counts finished jobs against an optional limit.
final class Counter: Sendable {
    private let limit: Int?
    private let value = NIOLockedValueBox(0)

    init(limit: Int?) { self.limit = limit }

    /// Counts one; returns whether the limit is reached.
    func increment() -> Bool {
        let count = value.withLockedValue { $0 += 1; return $0 }
        return limit.map { count >= $0 } ?? false
    }
}
