import GearmanProtocol
import NIOCore

extension Scheduler {
    /// The snapshot ``GearmanServer/status()`` returns.
    func status() -> ServerStatus {
        let window = throughput.window(at: .now())
        return ServerStatus(
            version: configuration.version,
            connections: connections.count,
            functions: functions.values.sorted { $0.displayName < $1.displayName }.map { function in
                let queued = function.queuedCount
                return ServerStatus.Function(
                    name: function.displayName,
                    queued: .init(
                        high: queued[JobPriority.high.rawValue], normal: queued[JobPriority.normal.rawValue],
                        low: queued[JobPriority.low.rawValue]
                    ),
                    scheduled: function.scheduledCount, running: function.runningCount, workers: function.workerCount
                )
            },
            workers: connections.values.filter { !$0.abilities.isEmpty }.sorted { $0.id < $1.id }.map { connection in
                ServerStatus.Worker(
                    id: connection.id, address: connection.peerAddress, clientID: connection.clientID,
                    functions: connection.abilities.map(\.function.displayName), runningJobs: connection.runningJobs.count
                )
            },
            throughput: .init(submitted: window.submitted, completed: window.ended)
        )
    }
}
