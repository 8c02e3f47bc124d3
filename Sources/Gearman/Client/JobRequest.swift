import Foundation
import GearmanProtocol
import NIOCore

/// A job to submit: function, payload and options.
///
/// ```swift
/// let request = JobRequest("thumbnail", payload: "cat.png", priority: .high, unique: "cat.png")
/// let job = try await client.submit(request)
/// ```
public struct JobRequest: Sendable {
    public var function: String
    public var payload: ByteBuffer
    public var priority: JobPriority
    /// Runs detached from the client: the client only learns the handle.
    public var background: Bool
    /// Jobs with the same non-empty unique id are coalesced by the server; `"-"` hashes the payload.
    public var unique: String
    /// Fail with ``GearmanError/timeout`` if the job is not finished this long after submitting.
    public var timeout: Duration?
    /// Run the job no earlier than this time (SUBMIT_JOB_EPOCH; always a background job).
    public var scheduledAt: Date?
    /// Resubmit a foreground job that fails (WORK_FAIL or lost connection) up to this many times.
    public var maxRetries: Int

    public init(
        _ function: String,
        payload: some PayloadConvertible = ByteBuffer(),
        priority: JobPriority = .normal,
        background: Bool = false,
        unique: String = "",
        timeout: Duration? = nil,
        scheduledAt: Date? = nil,
        maxRetries: Int = 0
    ) {
        self.function = function
        self.payload = payload.payload
        self.priority = priority
        self.background = background || scheduledAt != nil
        self.unique = unique
        self.timeout = timeout
        self.scheduledAt = scheduledAt
        self.maxRetries = maxRetries
    }
}

extension JobRequest: OutboundPacket {
    /// Writes the submit packet (SUBMIT_JOB_EPOCH with the time when scheduled), strings encoded in place.
    func write(to buffer: inout ByteBuffer) {
        let epoch = scheduledAt.map { String(Int($0.timeIntervalSince1970.rounded(.up))) }
        let type: PacketType = epoch == nil ? .submit(background: background, priority: priority) : .submitJobEpoch
        let epochSize = epoch.map { $0.utf8.count + 1 } ?? 0
        let bodySize = function.utf8.count + 1 + unique.utf8.count + 1 + epochSize + payload.readableBytes
        buffer.writePacketHeader(.request, type, bodySize: bodySize)
        func writeArgument(_ text: String) {
            buffer.writeString(text)
            buffer.writeInteger(UInt8(0))
        }
        writeArgument(function)
        writeArgument(unique)
        if let epoch { writeArgument(epoch) }
        buffer.writeImmutableBuffer(payload)
    }
}

/// Job precedence (high, normal, low), re-exported from `GearmanProtocol`.
public typealias JobPriority = GearmanProtocol.JobPriority
