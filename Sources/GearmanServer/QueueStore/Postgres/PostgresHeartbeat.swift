import Logging
import NIOConcurrencyHelpers
import NIOCore
import PostgresNIO

/// The store's background work on its own connection: proves this server alive, offers the jobs of servers
/// that stopped doing so, and reports offered jobs (LISTEN, plus every beat as a fallback).
final class PostgresHeartbeat: Sendable {
    private let link: PostgresLink
    private let eventLoop: EventLoop
    private let serverNumber: Int64
    private let interval: TimeAmount
    private let staleAfter: TimeAmount
    private let logger: Logger
    private let jobsAvailable: @Sendable () -> Void
    private let state = NIOLockedValueBox(State())

    private struct State {
        var task: RepeatedTask?
        /// Since when every beat succeeded; `nil` after a failure.
        var aliveSince: NIODeadline?
    }

    init(
        configuration: PostgresQueueStore.Configuration, serverNumber: Int64, eventLoop: EventLoop, logger: Logger,
        jobsAvailable: @escaping @Sendable () -> Void
    ) {
        self.serverNumber = serverNumber
        self.eventLoop = eventLoop
        self.interval = configuration.heartbeatInterval
        self.staleAfter = configuration.staleAfter
        self.logger = logger
        self.jobsAvailable = jobsAvailable
        self.link = PostgresLink(configuration: configuration.connection, eventLoop: eventLoop, logger: logger) { connection in
            connection.addListener(channel: PostgresQueueSQL.channel) { _, _ in jobsAvailable() }
            // Offers made while this connection was missing went unheard.
            return connection.query(PostgresQueueSQL.listen, logger: logger).map { _ in jobsAvailable() }
        }
        let task = eventLoop.scheduleRepeatedAsyncTask(initialDelay: .zero, delay: interval) { _ in self.beat() }
        state.withLockedValue { $0.task = task }
    }

    func stop() async {
        let cancelled = eventLoop.makePromise(of: Void.self)
        state.withLockedValue { $0.task }?.cancel(promise: cancelled)
        try? await cancelled.futureResult.get()
        try? await link.close().get()
    }

    private func beat() -> EventLoopFuture<Void> {
        link.query(PostgresQueueSQL.heartbeat(server: serverNumber))
            .flatMap { _ in
                let now = NIODeadline.now()
                let aliveSince = self.state.withLockedValue { state in
                    if state.aliveSince == nil { state.aliveSince = now }
                    return state.aliveSince!
                }
                // After an outage every heartbeat is old: wait until the live servers had time to beat again.
                guard now - aliveSince >= self.staleAfter else { return self.eventLoop.makeSucceededVoidFuture() }
                return self.offerJobsOfStaleServers()
            }
            .map { self.jobsAvailable() }
            .recover { _ in
                self.state.withLockedValue { $0.aliveSince = nil }
            }
    }

    private func offerJobsOfStaleServers() -> EventLoopFuture<Void> {
        link.query(PostgresQueueSQL.offerJobsOfStaleServers(except: serverNumber, staleAfter: staleAfter)).flatMapThrowing { rows in
            for row in rows {
                let (name, jobs) = try row.decode((String, Int64).self)
                self.logger.warning(
                    "server stopped answering; its jobs are offered to the others", metadata: ["server": "\(name)", "jobs": "\(jobs)"]
                )
            }
            return !rows.isEmpty
        }.flatMap { offered in
            offered ? self.link.query(PostgresQueueSQL.notify).map { _ in } : self.eventLoop.makeSucceededVoidFuture()
        }
    }
}
