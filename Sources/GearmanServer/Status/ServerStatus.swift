/// A snapshot of the server for dashboards: functions, workers and recent throughput. Encodes to the JSON
/// the monitoring endpoint `/api/status` serves.
///
/// ```swift
/// let status = try await server.status()
/// for function in status.functions { print(function.name, function.queued.total, function.running) }
/// ```
public struct ServerStatus: Codable, Sendable, Equatable {
    /// Jobs waiting to run, by priority.
    public struct Queued: Codable, Sendable, Equatable {
        public var high: Int
        public var normal: Int
        public var low: Int

        public var total: Int { high + normal + low }
    }

    /// One function name the server knows.
    public struct Function: Codable, Sendable, Equatable {
        public var name: String
        public var queued: Queued
        /// Jobs waiting for their epoch or schedule time.
        public var scheduled: Int
        public var running: Int
        /// Connected workers that registered the function.
        public var workers: Int
    }

    /// One connection that registered at least one function.
    public struct Worker: Codable, Sendable, Equatable {
        /// The connection number, as the admin `workers` command shows it.
        public var id: Int
        public var address: String
        public var clientID: String
        /// Registered functions, in registration order.
        public var functions: [String]
        public var runningJobs: Int
    }

    /// Jobs per second, oldest first; the last entry is the current second so far.
    public struct Throughput: Codable, Sendable, Equatable {
        public var submitted: [Int]
        /// Running jobs that ended (completed, failed or given up).
        public var completed: [Int]
    }

    public var version: String
    /// Open connections of any kind (clients, workers, admin sessions).
    public var connections: Int
    /// Sorted by name.
    public var functions: [Function]
    /// Sorted by connection number.
    public var workers: [Worker]
    public var throughput: Throughput
}
