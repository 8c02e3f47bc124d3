import GearmanProtocol

/// How to name a job when asking for its status.
///
/// ```swift
/// let status = try await client.status(of: .unique("report-2024-06"))
/// ```
public enum JobID: Sendable, Hashable {
    /// The server's job handle (GET_STATUS).
    case handle(String)
    /// The unique id given at submit (GET_STATUS_UNIQUE).
    case unique(String)

    var statusPacket: Packet {
        switch self {
        case .handle(let handle): Packet(.request, .getStatus, [handle])
        case .unique(let unique): Packet(.request, .getStatusUnique, [unique])
        }
    }
}

extension JobStatus {
    /// Parses STATUS_RES (handle, known, running, numerator, denominator) or STATUS_RES_UNIQUE (… waiting clients).
    init?(_ packet: Packet) {
        guard packet.type == .statusRes || packet.type == .statusResUnique else { return nil }
        let number = { (index: Int) in Int(packet.string(index)) ?? 0 }
        self.init(
            id: packet.string(0), isKnown: number(1) != 0, isRunning: number(2) != 0,
            progress: JobProgress(numerator: number(3), denominator: number(4)),
            waitingClients: packet.type == .statusResUnique ? number(5) : nil)
    }
}
