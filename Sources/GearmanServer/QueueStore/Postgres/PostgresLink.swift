import Logging
import NIOConcurrencyHelpers
import NIOCore
import PostgresNIO

/// One PostgreSQL connection that is opened again after it broke, logging when the database goes away and
/// comes back. Used by one caller at a time.
final class PostgresLink: Sendable {
    private let configuration: PostgresConnection.Configuration
    private let eventLoop: EventLoop
    private let logger: Logger
    /// Run on every new connection before its first query, e.g. to LISTEN.
    private let prepare: @Sendable (PostgresConnection) -> EventLoopFuture<Void>
    private let state = NIOLockedValueBox(State())

    private struct State {
        var connection: PostgresConnection?
        var isDown = false
        var isClosed = false
        var connections = 0
    }

    struct Closed: Error, CustomStringConvertible {
        var description: String { "the queue store is closed" }
    }

    init(
        configuration: PostgresConnection.Configuration, eventLoop: EventLoop, logger: Logger,
        prepare: @escaping @Sendable (PostgresConnection) -> EventLoopFuture<Void> = { $0.eventLoop.makeSucceededVoidFuture() }
    ) {
        self.configuration = configuration
        self.eventLoop = eventLoop
        self.logger = logger
        self.prepare = prepare
    }

    /// Runs `query`, connecting first when there is no open connection.
    func query(_ query: PostgresQuery) -> EventLoopFuture<PostgresQueryResult> {
        let logger = self.logger
        return connection().flatMap { connection in
            connection.query(query, logger: logger).flatMapErrorThrowing { error in
                if connection.isClosed { self.lost(connection, error) }
                throw error
            }
        }
    }

    /// Closes the connection for good: later queries fail.
    func close() -> EventLoopFuture<Void> {
        let connection = state.withLockedValue { state in
            defer {
                state.connection = nil
                state.isClosed = true
            }
            return state.connection
        }
        return connection?.closeHoldingOn() ?? eventLoop.makeSucceededVoidFuture()
    }

    private func connection() -> EventLoopFuture<PostgresConnection> {
        let (open, id, isClosed) = state.withLockedValue { state in
            if state.connection?.isClosed == true { state.connection = nil }
            state.connections += 1
            return (state.connection, state.connections, state.isClosed)
        }
        if isClosed { return eventLoop.makeFailedFuture(Closed()) }
        if let open { return eventLoop.makeSucceededFuture(open) }
        let prepare = self.prepare
        return PostgresConnection.connect(on: eventLoop, configuration: configuration, id: id, logger: logger)
            .flatMap { connection in
                prepare(connection).map { connection }.flatMapError { error in
                    connection.closeHoldingOn().flatMapThrowing { throw error }
                }
            }
            .flatMap { connection in
                let (wasDown, isClosed) = self.state.withLockedValue { state in
                    defer {
                        if !state.isClosed {
                            state.connection = connection
                            state.isDown = false
                        }
                    }
                    return (state.isDown, state.isClosed)
                }
                // Closed while connecting: this connection has no owner.
                if isClosed { return connection.closeHoldingOn().flatMapThrowing { throw Closed() } }
                if wasDown { self.logger.notice("PostgreSQL is reachable again", metadata: self.metadata) }
                return self.eventLoop.makeSucceededFuture(connection)
            }
            .flatMapErrorThrowing { error in
                if !(error is Closed) { self.wentDown(error) }
                throw error
            }
    }

    private func lost(_ connection: PostgresConnection, _ error: Error) {
        state.withLockedValue { state in
            if state.connection === connection { state.connection = nil }
        }
        wentDown(error)
    }

    private func wentDown(_ error: Error) {
        let first = state.withLockedValue { state in
            defer { state.isDown = true }
            return !state.isDown
        }
        if first {
            logger.error(
                "PostgreSQL is unreachable; submits are refused until it is back", metadata: metadata.merging(["error": "\(PostgresQueueStore.Failure(error))"]) { $1 }
            )
        }
    }

    private var metadata: Logger.Metadata {
        ["postgres": "\(configuration.host ?? "-"):\(configuration.port ?? 0)/\(configuration.database ?? "-")"]
    }
}

extension PostgresConnection {
    /// Closes the connection and holds on to it until it is closed: PostgresNIO asserts that a connection it frees is closed.
    fileprivate func closeHoldingOn() -> EventLoopFuture<Void> {
        close().always { _ in withExtendedLifetime(self) {} }
    }
}
