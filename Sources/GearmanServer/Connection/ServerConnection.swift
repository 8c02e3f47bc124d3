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

    /// A JOB_CREATED that waits for its job's commit, and the responses produced after it.
    struct PendingAcknowledgement {
        let job: ObjectIdentifier
        /// JOB_CREATED or ERROR, once the commit is done, while an earlier acknowledgement still waits.
        var answer: ByteBuffer?
        var following: ByteBuffer?
    }

    /// Gearman peers pair responses with their requests in order, so nothing may overtake a JOB_CREATED that
    /// waits for a commit: what is sent meanwhile waits behind it.
    private var pendingAcknowledgements: [PendingAcknowledgement] = []

    init(channel: Channel) {
        self.channel = channel
        self.peerAddress = channel.remoteAddress?.ipAddress ?? channel.remoteAddress?.description ?? "-"
        self.output = channel.allocator.buffer(capacity: 0)
    }

    /// Writes a response where it belongs: to the output, or behind the last acknowledgement still waiting.
    func write(_ body: (inout ByteBuffer) -> Void) {
        guard !pendingAcknowledgements.isEmpty else { return body(&output) }
        let last = pendingAcknowledgements.index(before: pendingAcknowledgements.endIndex)
        if pendingAcknowledgements[last].following == nil {
            pendingAcknowledgements[last].following = channel.allocator.buffer(capacity: 64)
        }
        body(&pendingAcknowledgements[last].following!)
    }

    /// Keeps the place of `job`'s JOB_CREATED until ``acknowledge(_:_:)`` answers it.
    func awaitAcknowledgement(of job: Job) {
        pendingAcknowledgements.append(PendingAcknowledgement(job: ObjectIdentifier(job)))
    }

    /// Answers `job`'s awaited acknowledgement with what `body` writes, then moves every answered one at the
    /// front, with the responses that followed it, to the output.
    func acknowledge(_ job: Job, _ body: (inout ByteBuffer) -> Void) {
        guard let index = pendingAcknowledgements.firstIndex(where: { $0.job == ObjectIdentifier(job) }) else {
            return write(body)
        }
        guard index == pendingAcknowledgements.startIndex else {
            var answer = channel.allocator.buffer(capacity: 32)
            body(&answer)
            pendingAcknowledgements[index].answer = answer
            return
        }
        body(&output)
        var next = pendingAcknowledgements.removeFirst()
        while true {
            if var following = next.following { output.writeBuffer(&following) }
            guard var answer = pendingAcknowledgements.first?.answer else { break }
            output.writeBuffer(&answer)
            next = pendingAcknowledgements.removeFirst()
        }
    }

    func ability(for function: FunctionQueue) -> Ability? {
        abilities.first { $0.function === function }
    }
}
