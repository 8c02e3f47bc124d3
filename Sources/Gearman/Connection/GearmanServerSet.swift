/// A client or a worker: it talks to a set of job servers, which can change while it runs.
public protocol GearmanServerSet: AnyObject, Sendable {
    /// The connections to the servers.
    var connectionPool: ConnectionPool { get }
}

extension GearmanServerSet {
    /// Adds a server at run time. Throws ``GearmanError/Code/invalidConfiguration`` if it is already there.
    public func addServer(_ address: ServerAddress) throws {
        try connectionPool.add(address)
    }

    /// Removes a server, closing its connection: a client's foreground jobs on it fail (or retry) with
    /// ``GearmanError/connectionLost``; a worker's jobs from it can no longer report back.
    public func removeServer(_ address: ServerAddress) async {
        await connectionPool.remove(address)
    }

    /// The configured servers.
    public var servers: [ServerAddress] { connectionPool.addresses }

    /// The servers connected right now.
    public var connectedServers: [ServerAddress] { connectionPool.connected.map(\.address) }

    /// Returns once some server is connected; throws ``GearmanError/timeout`` otherwise.
    public func waitForServer(timeout: Duration? = nil) async throws {
        try await connectionPool.waitForServer(timeout: timeout)
    }
}
