import GearmanProtocol

/// Receives a connection's events, on the connection's event loop, in order.
protocol ServerConnectionDelegate: AnyObject, Sendable {
    /// The channel is up. Packets sent from here precede everything else on the new channel.
    func connectionEstablished(_ connection: ServerConnection)
    /// The channel went away; requests in flight have already failed with ``GearmanError/connectionLost``.
    func connectionLost(_ connection: ServerConnection)
    /// A packet that answers no request (WORK_*, NOOP, JOB_NOT_FOUND errors, …).
    func connection(_ connection: ServerConnection, received packet: Packet)
}
