import ArgumentParser
import Foundation
import Gearman
import NIOCore

struct Submit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Submit a job; the payload is the argument or stdin, the result goes to stdout.")

    @OptionGroup var server: ServerOptions

    @Argument(help: "Function name.") var function: String
    @Argument(help: "Payload (default: read stdin).") var payload: String?

    @Flag(name: .customLong("bg"), help: "Submit in the background and print the handle.") var background = false
    @Flag(help: "High priority.") var high = false
    @Flag(help: "Low priority.") var low = false
    @Option(help: "Unique id (coalesces equal jobs).") var unique = ""
    @Option(help: "Run at this time: ISO 8601 or seconds since the epoch (implies --bg).") var at: String?
    @Option(help: "Seconds to wait for the result.") var timeout: Double?

    func validate() throws {
        if high && low { throw ValidationError("--high and --low exclude each other") }
        if at != nil, Self.parseDate(at!) == nil { throw ValidationError("cannot read --at \(at!)") }
    }

    static func parseDate(_ text: String) -> Date? {
        if let seconds = Double(text) { return Date(timeIntervalSince1970: seconds) }
        return try? Date(text, strategy: .iso8601)
    }

    func run() async throws {
        let data = payload.map { ByteBuffer(string: $0) } ?? ByteBuffer(data: FileHandle.standardInput.readDataToEndOfFile())
        let client = GearmanClient(servers: try server.addresses)
        defer { Task { await client.shutdown() } }
        try await client.waitForServer(timeout: server.waitTimeout)
        let request = JobRequest(
            function, payload: data, priority: high ? .high : low ? .low : .normal, background: background, unique: unique,
            timeout: timeout.map { .milliseconds(Int($0 * 1000)) }, scheduledAt: at.flatMap(Self.parseDate))
        let job = try await client.submit(request)
        if request.background {
            print(job.handle ?? "")
            return
        }
        do {
            let result = try await job.result
            FileHandle.standardOutput.write(Data(result.readableBytesView))
        } catch let error as GearmanError {
            FileHandle.standardError.write(Data("gear: \(error)\n".utf8))
            throw ExitCode.failure
        }
    }
}
