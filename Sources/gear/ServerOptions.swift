import ArgumentParser
import Foundation
import Gearman

/// `--host/--port` (repeatable), `--ssl-*` and `--json`, shared by every subcommand.
struct ServerOptions: ParsableArguments {
    @Option(name: .long, help: "Job server host, optionally host:port (repeatable).")
    var host: [String] = []

    @Option(name: .long, help: "Port for the --host at the same position (repeatable).")
    var port: [Int] = []

    @Option(name: .customLong("ssl-key"), help: "PEM private key for TLS.")
    var sslKey: String?

    @Option(name: .customLong("ssl-cert"), help: "PEM certificate for TLS.")
    var sslCert: String?

    @Option(name: .customLong("ssl-ca"), help: "PEM CA certificate for TLS.")
    var sslCA: String?

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    @Option(help: "Seconds to wait for a server connection, and for an admin command's answer.")
    var connectTimeout: Double = 5

    var addresses: [ServerAddress] {
        get throws {
            let hosts = host.isEmpty ? ["127.0.0.1"] : host
            let tls = sslKey == nil && sslCert == nil && sslCA == nil ? nil : TLSFiles(key: sslKey, certificate: sslCert, ca: sslCA)
            return try hosts.enumerated().map { index, text in
                guard var address = ServerAddress(parsing: text) else { throw ValidationError("bad host \(text)") }
                if index < port.count { address.port = port[index] }
                address.tls = tls
                return address
            }
        }
    }

    var waitTimeout: Duration { .milliseconds(Int(connectTimeout * 1000)) }

    /// Prints rows as an aligned table, or `value` as JSON with `--json`.
    func print<Value: Encodable>(_ value: Value, header: [String], rows: [[String]]) throws {
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            Swift.print(String(decoding: try encoder.encode(value), as: UTF8.self))
            return
        }
        let table = [header] + rows
        let widths = header.indices.map { column in table.map { $0[column].count }.max() ?? 0 }
        for row in table {
            let cells = row.enumerated().map { column, cell in
                column == row.count - 1 ? cell : cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
            }
            Swift.print(cells.joined(separator: "  "))
        }
    }

    /// Runs `body` against each server's admin port.
    func eachServer<Result: Sendable>(_ body: (ServerAddress, GearmanAdmin) async throws -> Result) async throws -> [Result] {
        var results: [Result] = []
        for address in try addresses {
            results.append(try await GearmanAdmin.withConnection(to: address, timeout: waitTimeout) { try await body(address, $0) })
        }
        return results
    }
}
