import ArgumentParser
import Foundation
import Gearman
import NIOCore

struct ResultCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "result",
        abstract: "Print the result of a background job kept by geard --keep-results.",
        discussion: """
            The result (or exception data) goes to stdout. Exit status: 0 completed, 1 failed, raised an \
            exception or was cancelled, 2 unknown or expired, 3 not finished yet. With several --host, the first server that knows \
            the job answers.
            """
    )

    @OptionGroup var server: ServerOptions
    @Argument(help: "Job handle, as printed by gear submit --bg.") var handle: String

    /// The `--json` form: the payload in base64, the finish time in seconds since 1970.
    struct Row: Encodable {
        var handle: String
        var status: JobOutcome.Status
        var function: String
        var unique: String
        var finishedAt: Double?
        var payload: String
    }

    func run() async throws {
        guard let outcome = try await lookUp() else {
            if server.json {
                print("null")
            } else {
                FileHandle.standardError.write(Data("gear: no job and no kept result for \(handle)\n".utf8))
            }
            throw ExitCode(2)
        }
        if server.json {
            let row = Row(
                handle: outcome.handle, status: outcome.status, function: outcome.function, unique: outcome.unique,
                finishedAt: outcome.finishedAt?.timeIntervalSince1970, payload: Data(outcome.payload.readableBytesView).base64EncodedString()
            )
            try server.print(row, header: [], rows: [])
        } else {
            FileHandle.standardOutput.write(Data(outcome.payload.readableBytesView))
            if outcome.status != .complete {
                FileHandle.standardError.write(Data("gear: \(handle): \(outcome.status.rawValue)\n".utf8))
            }
        }
        switch outcome.status {
        case .complete: return
        case .fail, .exception, .cancelled: throw ExitCode.failure
        case .queued, .scheduled, .running, .pending: throw ExitCode(3)
        }
    }

    /// Asks each server in turn; the first that knows the job answers. Errors count only if none does.
    private func lookUp() async throws -> JobOutcome? {
        var failure: Error?
        for address in try server.addresses {
            do {
                if let outcome = try await GearmanAdmin.withConnection(to: address, timeout: server.waitTimeout, { try await $0.result(of: handle) }) {
                    return outcome
                }
            } catch {
                failure = error
            }
        }
        if let failure { throw failure }
        return nil
    }
}
