import Foundation
import NIOCore
import PostgresNIO

extension PostgresQueueStore {
    /// Where the shared queue lives and how this server takes part in it.
    public struct Configuration: Sendable {
        /// The database connection.
        public var connection: PostgresConnection.Configuration
        /// This server's lasting identity among those sharing the database: a restarted server with the same
        /// name takes back its unfinished jobs. `geard` uses `<host>:<port>`.
        public var serverName: String
        /// How often the server proves it is alive and checks for offered jobs.
        public var heartbeatInterval: TimeAmount
        /// A server silent for this long (three heartbeats) is taken for gone, and its jobs are offered to the others.
        public var staleAfter: TimeAmount { heartbeatInterval * 3 }

        /// - Parameter url: `postgres://user:password@host:port/database` (`postgresql://` too; port 5432
        ///   and database = user by default). TLS is not supported yet: `sslmode` other than `disable` is refused.
        ///
        /// ```swift
        /// let configuration = try PostgresQueueStore.Configuration(
        ///     url: "postgres://geard:secret@db.example:5432/gearman", serverName: "gear1:4730"
        /// )
        /// ```
        public init(url: String, serverName: String, heartbeatInterval: TimeAmount = .seconds(2)) throws {
            guard let components = URLComponents(string: url), ["postgres", "postgresql"].contains(components.scheme),
                let host = components.host, !host.isEmpty, let user = components.user, !user.isEmpty
            else {
                throw InvalidURL(url: url, reason: "expected postgres://user:password@host:port/database")
            }
            let sslMode = components.queryItems?.first { $0.name == "sslmode" }?.value ?? "disable"
            guard sslMode == "disable" else { throw InvalidURL(url: url, reason: "sslmode=\(sslMode) is not supported") }
            let database = String(components.path.drop { $0 == "/" })
            connection = PostgresConnection.Configuration(
                host: host, port: components.port ?? 5432, username: user, password: components.password,
                database: database.isEmpty ? user : database, tls: .disable
            )
            connection.options.connectTimeout = .seconds(5)
            self.serverName = serverName
            self.heartbeatInterval = heartbeatInterval
        }
    }

    /// A `--queue-url` that is not a PostgreSQL URL this store can use.
    public struct InvalidURL: Error, CustomStringConvertible {
        public let url: String
        public let reason: String
        public var description: String { "invalid PostgreSQL URL: \(reason)" }
    }
}
