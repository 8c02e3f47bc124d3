import Foundation
import GearmanServer
import Logging
import NIOCore
import PostgresNIO
import Testing

/// A fresh database on the test PostgreSQL server for one test, dropped afterwards. `scripts/test` starts the
/// server and exports its URL as `GEARD_TEST_POSTGRES_URL`.
struct PostgresTestDatabase {
    /// `postgres://…` of this test's database.
    let url: String
    let name: String

    struct ServerMissing: Error, CustomStringConvertible {
        var description: String {
            "GEARD_TEST_POSTGRES_URL is not set: run the tests with scripts/test, which starts a PostgreSQL server"
        }
    }

    private static var serverURL: String {
        get throws {
            guard let url = ProcessInfo.processInfo.environment["GEARD_TEST_POSTGRES_URL"], !url.isEmpty else { throw ServerMissing() }
            return url
        }
    }

    /// Runs `body` with a new empty database.
    static func with<T>(_ body: (PostgresTestDatabase) async throws -> T) async throws -> T {
        let name = "geard_test_\(UUID().uuidString.prefix(8).lowercased())"
        try await executeOnServer("CREATE DATABASE \(name)")
        var components = URLComponents(string: try serverURL)!
        components.path = "/" + name
        let database = PostgresTestDatabase(url: components.string!, name: name)
        do {
            let result = try await body(database)
            try await executeOnServer("DROP DATABASE \(name) WITH (FORCE)")
            return result
        } catch {
            try? await executeOnServer("DROP DATABASE \(name) WITH (FORCE)")
            throw error
        }
    }

    /// A store configuration for this database.
    func configuration(server: String, heartbeat: TimeAmount = .milliseconds(200)) throws -> PostgresQueueStore.Configuration {
        try PostgresQueueStore.Configuration(url: url, serverName: server, heartbeatInterval: heartbeat)
    }

    /// Runs `sql` in this database and returns the first column of its rows as integers.
    func integers(_ sql: String) async throws -> [Int64] {
        try await Self.execute(sql, url: url).map { try $0.decode(Int64.self) }
    }

    /// Jobs left in `gearman_jobs`.
    func storedJobCount() async throws -> Int64 {
        try await integers("SELECT count(*) FROM gearman_jobs").first ?? -1
    }

    /// Makes the database unreachable for new and existing connections, as if the server went down.
    func cutOff() async throws {
        try await Self.executeOnServer("ALTER DATABASE \(name) ALLOW_CONNECTIONS false")
        try await Self.executeOnServer("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '\(name)'")
    }

    /// Undoes ``cutOff()``.
    func restore() async throws {
        try await Self.executeOnServer("ALTER DATABASE \(name) ALLOW_CONNECTIONS true")
    }

    private static func executeOnServer(_ sql: String) async throws {
        _ = try await execute(sql, url: serverURL)
    }

    private static func execute(_ sql: String, url: String) async throws -> [PostgresRow] {
        let configuration = try PostgresQueueStore.Configuration(url: url, serverName: "test").connection
        let connection = try await PostgresConnection.connect(configuration: configuration, id: 0, logger: Logger(label: "test.postgres"))
        do {
            var rows: [PostgresRow] = []
            for try await row in try await connection.query(PostgresQuery(unsafeSQL: sql), logger: Logger(label: "test.postgres")) {
                rows.append(row)
            }
            try await connection.close()
            return rows
        } catch {
            try? await connection.close()
            throw error
        }
    }
}
