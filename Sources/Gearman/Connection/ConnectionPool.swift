import Logging
import NIOCore
import Synchronization

/// The servers of one client or worker: adding and removing them, round-robin choice among the connected ones,
/// and waiting until one is connected. Its workings are internal to this package; use it through
/// ``GearmanServerSet``.
public final class ConnectionPool: Sendable {
    private struct State {
        /// The client or worker that the connections report to.
        weak var delegate: (any ServerConnectionDelegate)?
        var connections: [ServerConnection] = []
        var cursor = 0
        /// Fulfilled when some server connects; replaced once none is connected.
        var serverAvailable = OneShot<Void>()
        var isShutdown = false
    }

    private let state = Mutex(State())
    private let eventLoopGroup: any EventLoopGroup
    private let backoff: Backoff
    private let logger: Logger

    init(eventLoopGroup: any EventLoopGroup, backoff: Backoff, logger: Logger) {
        self.eventLoopGroup = eventLoopGroup
        self.backoff = backoff
        self.logger = logger
    }

    /// Connects to `servers` in the background, reporting to `delegate`.
    func start(servers: [ServerAddress], reportingTo delegate: any ServerConnectionDelegate) {
        state.withLock { $0.delegate = delegate }
        for server in Set(servers) { try? add(server) }
    }

    /// Adds a server and starts connecting to it in the background.
    func add(_ address: ServerAddress) throws {
        guard let delegate = state.withLock({ $0.delegate }) else { throw GearmanError.shutdown }
        let connection = ServerConnection(
            address: address, eventLoop: eventLoopGroup.next(), backoff: backoff, delegate: delegate, pool: self, logger: logger)
        try state.withLock { state in
            guard !state.isShutdown else { throw GearmanError.shutdown }
            guard !state.connections.contains(where: { $0.address == address }) else {
                throw GearmanError(.invalidConfiguration, "server \(address) already added")
            }
            state.connections.append(connection)
        }
        connection.start()
    }

    /// Removes a server, closing its connection. Returns `false` if it was not there.
    @discardableResult
    func remove(_ address: ServerAddress) async -> Bool {
        let removed = state.withLock { state -> ServerConnection? in
            guard let index = state.connections.firstIndex(where: { $0.address == address }) else { return nil }
            return state.connections.remove(at: index)
        }
        await removed?.close()
        return removed != nil
    }

    var addresses: [ServerAddress] { state.withLock { $0.connections.map(\.address) } }

    var connected: [ServerConnection] { state.withLock { $0.connections.filter(\.isConnected) } }

    /// The next connected server in round-robin order that is not in `excluded`.
    func next(excluding excluded: Set<ObjectIdentifier> = []) -> ServerConnection? {
        state.withLock { state in
            let count = state.connections.count
            for offset in 0..<count {
                let connection = state.connections[(state.cursor + offset) % count]
                // `isEmpty` first: a set hashes the key even when it is empty, and no server is excluded on a first try.
                if connection.isConnected, excluded.isEmpty || !excluded.contains(ObjectIdentifier(connection)) {
                    state.cursor = (state.cursor + offset + 1) % count
                    return connection
                }
            }
            return nil
        }
    }

    /// Returns once at least one server is connected; throws ``GearmanError/timeout`` after `timeout`.
    func waitForServer(timeout: Duration?) async throws {
        let available = state.withLock { $0.serverAvailable }
        try await withTimeout(timeout) { try await available.value() }
    }

    func connectionStateChanged(_ connection: ServerConnection) {
        let fulfil = state.withLock { state -> OneShot<Void>? in
            let anyConnected = state.connections.contains(where: \.isConnected)
            if anyConnected { return state.serverAvailable }
            if state.serverAvailable.result != nil { state.serverAvailable = OneShot() }
            return nil
        }
        fulfil?.fulfill(.success(()))
    }

    /// Closes every connection; later `add` calls throw ``GearmanError/shutdown``.
    func shutdown() async {
        let connections = state.withLock { state in
            state.isShutdown = true
            defer { state.connections = [] }
            return state.connections
        }
        for connection in connections { await connection.close() }
        state.withLock { $0.serverAvailable }.fulfill(.failure(GearmanError.shutdown))
    }
}
