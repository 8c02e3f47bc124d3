#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import NIOCore

/// The answer to the `result HANDLE` admin command, a geard extension: where a background job is, or how it
/// ended. One line, so any admin client reads it, with the bytes in base64 so binary results survive:
///
/// ```
/// OK <STATUS> <FINISHED> <FUNCTION> <UNIQUE> <DATA>
/// OK COMPLETE 1712345678.901 cmV2ZXJzZQ== - b2xsZWg=
/// OK RUNNING - cmV2ZXJzZQ== dS0x -
/// ```
///
/// `FINISHED` is seconds since 1970 with milliseconds (`-` while unfinished); `FUNCTION`, `UNIQUE` and `DATA`
/// are base64, `-` when empty. `DATA` is the WORK_COMPLETE or WORK_EXCEPTION data.
public struct JobResultLine: Sendable, Hashable {
    /// Where the job is, or how it ended.
    public enum Status: String, Sendable, Hashable, CaseIterable {
        /// Waiting in its queue on this server.
        case queued = "QUEUED"
        /// Waiting for its epoch or schedule time.
        case scheduled = "SCHEDULED"
        /// A worker is running it.
        case running = "RUNNING"
        /// Held by another server sharing the queue store: queued or running there.
        case pending = "PENDING"
        /// Ended with WORK_COMPLETE.
        case complete = "COMPLETE"
        /// Ended with WORK_FAIL, or failed for good after its retries.
        case fail = "FAIL"
        /// Ended with WORK_EXCEPTION.
        case exception = "EXCEPTION"
        /// Taken out of its queue with the `cancel job` admin command.
        case cancelled = "CANCELLED"

        /// Whether the job ended (and this is its final status).
        public var isFinished: Bool { self == .complete || self == .fail || self == .exception || self == .cancelled }
    }

    public var status: Status
    /// Milliseconds since 1970 when the job ended; `nil` while it has not.
    public var finishedAt: Int64?
    public var function: ByteBuffer
    public var unique: ByteBuffer
    public var data: ByteBuffer

    public init(status: Status, finishedAt: Int64?, function: ByteBuffer, unique: ByteBuffer, data: ByteBuffer = ByteBuffer()) {
        self.status = status
        self.finishedAt = finishedAt
        self.function = function
        self.unique = unique
        self.data = data
    }

    /// The answer line, without its terminator.
    public var line: String {
        let finished = finishedAt.map { "\($0 / 1000)." + String(String($0 % 1000 + 1000).dropFirst()) } ?? "-"
        return ["OK", status.rawValue, finished, Self.encode(function), Self.encode(unique), Self.encode(data)].joined(separator: " ")
    }

    /// Parses an answer line; `nil` when it is not one.
    public init?(line: String) {
        let fields = line.split(separator: " ", omittingEmptySubsequences: false)
        guard fields.count == 6, fields[0] == "OK", let status = Status(rawValue: String(fields[1])),
            let function = Self.decode(fields[3]), let unique = Self.decode(fields[4]), let data = Self.decode(fields[5])
        else { return nil }
        var finishedAt: Int64?
        if fields[2] != "-" {
            let parts = fields[2].split(separator: ".", omittingEmptySubsequences: false)
            guard parts.count == 2, parts[1].count == 3, let seconds = Int64(parts[0]), let milliseconds = Int64(parts[1]) else { return nil }
            finishedAt = seconds * 1000 + milliseconds
        }
        self.init(status: status, finishedAt: finishedAt, function: function, unique: unique, data: data)
    }

    private static func encode(_ bytes: ByteBuffer) -> String {
        bytes.readableBytes == 0 ? "-" : Data(bytes.readableBytesView).base64EncodedString()
    }

    private static func decode(_ field: Substring) -> ByteBuffer? {
        guard field != "-" else { return ByteBuffer() }
        return Data(base64Encoded: String(field)).map { ByteBuffer(bytes: $0) }
    }
}
