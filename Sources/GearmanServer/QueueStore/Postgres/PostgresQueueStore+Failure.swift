import PostgresNIO

extension PostgresQueueStore {
    /// A store operation that PostgreSQL failed, described without the query's data (payloads stay out of logs).
    public struct Failure: Error, CustomStringConvertible {
        public let description: String

        init(description: String) {
            self.description = description
        }

        init(_ error: Error) {
            guard let error = error as? PSQLError else {
                description = "PostgreSQL: \(error)"
                return
            }
            var parts = ["PostgreSQL: \(error.code)"]
            if let message = error.serverInfo?[.message] { parts.append(message) }
            if let underlying = error.underlying { parts.append("\(underlying)") }
            description = parts.joined(separator: ": ")
        }
    }
}
