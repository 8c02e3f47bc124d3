import GearmanProtocol

/// Takes the reply to a request sent with ``ServerConnection/sendRequest(_:to:)``, on the connection's event loop: an
/// object that exists anyway (a submitted job, the worker asking for a job, the one-shot an awaited request waits on), so
/// that a request costs no closure.
protocol ReplyReceiver: AnyObject, Sendable {
    /// The reply to the request sent on `connection`, or ``GearmanError/connectionLost`` if it closed first.
    func connection(_ connection: ServerConnection, answered reply: Result<Packet, any Error>)
}

extension OneShot: ReplyReceiver where Value == Packet {
    /// Fulfils the one-shot with the reply, for a caller awaiting ``value()``.
    func connection(_ connection: ServerConnection, answered reply: Result<Packet, any Error>) {
        fulfill(reply)
    }
}
