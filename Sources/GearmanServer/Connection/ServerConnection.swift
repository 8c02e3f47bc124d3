import GearmanProtocol
import NIOCore

/// One connected peer (client, worker or admin) as the scheduler sees it.
///
/// Everything but the immutable identity is touched only on the scheduler's event loop, which is why the
/// class is `@unchecked Sendable`: the I/O handler on another loop only passes it to the scheduler.
final class ServerConnection: @unchecked Sendable {
    /// A function the worker registered, with its CAN_DO_TIMEOUT in seconds (0: none).
    struct Ability {
        let function: FunctionQueue
        var timeoutSeconds: Int
    }

    /// Assigned by the scheduler when the connection arrives there.
    var id = 0
    let channel: Channel
    let peerAddress: String

    var clientID = "-"
    /// The Common Name of the peer's TLS client certificate, which access control lists name; `nil` on plain
    /// connections and TLS ones without a client certificate.
    var subject: String?
    var wantsExceptions = false
    /// Registered functions, in registration order.
    var abilities: [Ability] = []
    /// Where the next GRAB starts looking, so functions take turns.
    var grabCursor = 0
    var isSleeping = false
    var runningJobs: [ObjectIdentifier: Job] = [:]
    var waitingJobs: [ObjectIdentifier: Job] = [:]
    var isClosed = false
    /// Frames that arrived while an admin answer was pending, acted on once it is sent; `nil` when none is.
    var heldFrames: [Frame]?

    /// Encoded responses not yet handed to the channel; flushed once per event-loop tick.
    var output: ByteBuffer
    var hasPendingFlush = false

    init(channel: Channel) {
        self.channel = channel
        self.peerAddress = channel.remoteAddress?.ipAddress ?? channel.remoteAddress?.description ?? "-"
        self.output = channel.allocator.buffer(capacity: 0)
    }

    func ability(for function: FunctionQueue) -> Ability? {
        abilities.first { $0.function === function }
    }
}
