import ArgumentParser
import Foundation
import Gearman

struct Status: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show each function's queued, running and worker counts.")
    @OptionGroup var server: ServerOptions

    func run() async throws {
        let functions = try await server.eachServer { _, admin in try await admin.status() }.flatMap { $0 }
        try server.print(functions, header: ["FUNCTION", "TOTAL", "RUNNING", "WORKERS"], rows: functions.map {
            [$0.function, String($0.total), String($0.running), String($0.workers)]
        })
    }
}

struct Workers: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List connected workers and their functions.")
    @OptionGroup var server: ServerOptions

    func run() async throws {
        let workers = try await server.eachServer { _, admin in try await admin.workers() }.flatMap { $0 }
        try server.print(workers, header: ["FD", "ADDRESS", "CLIENT-ID", "FUNCTIONS"], rows: workers.map {
            [String($0.fileDescriptor), $0.address, $0.clientID, $0.functions.joined(separator: " ")]
        })
    }
}

struct Jobs: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List the jobs the servers hold.")
    @OptionGroup var server: ServerOptions

    func run() async throws {
        let jobs = try await server.eachServer { _, admin in try await admin.showJobs() }.flatMap { $0 }
        try server.print(jobs, header: ["HANDLE", "RETRIES", "IGNORED", "QUEUED"], rows: jobs.map {
            [$0.handle, String($0.retries), String($0.ignored), String($0.queued)]
        })
    }
}

struct Cancel: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Cancel a queued job by handle.")
    @OptionGroup var server: ServerOptions
    @Argument var handle: String

    func run() async throws {
        _ = try await server.eachServer { _, admin in try await admin.cancelJob(handle) }
    }
}

struct Version: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show each server's version.")
    @OptionGroup var server: ServerOptions

    struct Row: Encodable { var server: String; var version: String }

    func run() async throws {
        let rows = try await server.eachServer { address, admin in Row(server: "\(address)", version: try await admin.version()) }
        try server.print(rows, header: ["SERVER", "VERSION"], rows: rows.map { [$0.server, $0.version] })
    }
}

struct Ping: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Measure the ECHO round trip to each server.")
    @OptionGroup var server: ServerOptions

    struct Row: Encodable { var server: String; var milliseconds: Double }

    func run() async throws {
        let rows = try await server.eachServer { address, admin in
            let rtt = try await admin.ping()
            return Row(server: "\(address)", milliseconds: Double(rtt.components.attoseconds) / 1e15 + Double(rtt.components.seconds) * 1000)
        }
        try server.print(rows, header: ["SERVER", "RTT-MS"], rows: rows.map { [$0.server, String(format: "%.3f", $0.milliseconds)] })
    }
}
