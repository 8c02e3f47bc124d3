import Foundation
import GearmanProtocol
import NIOCore

/// How a ``GearmanServer`` listens and schedules.
public struct ServerConfiguration: Sendable {
    /// Address to listen on; `0.0.0.0` or `::` for all interfaces.
    public var host: String
    /// TCP port; 0 picks a free one (read it back from ``GearmanServer/port``).
    public var port: Int
    /// Event loop threads (default: one per core). Scheduling and plain connections run on the first: a hop
    /// between threads per read costs more than decoding (measured on 2 cores: one loop for everything gave
    /// 1.4× the foreground round trips of plain connections spread over two). TLS connections spread over all
    /// of them, so encryption does not load the scheduler's thread.
    public var threads: Int
    /// Largest packet body accepted; bigger ones are refused from the header with an ERROR.
    public var maximumPacketSize: Int
    /// Longest admin line accepted.
    public var maximumLineLength: Int
    /// Attempts a job gets before it is failed when its workers keep vanishing or timing out; 0 = no limit.
    public var jobRetries: Int
    /// The host part of job handles (`H:<host>:<n>`).
    public var handleHost: String
    /// What the admin `version` command reports.
    public var version: String
    /// TCP keepalive for accepted sockets; `nil` leaves the system default (off).
    public var keepalive: Keepalive?
    /// TLS for the main port or an extra port; `nil` serves plain TCP only.
    public var tls: TLS?
    /// Who may register and invoke what, by TLS client certificate Common Name; `nil` allows everyone
    /// everything, as gearmand does. With a list in force, whatever it does not allow is denied.
    public var accessControl: AccessControlList?
    /// Connections served at once; further ones get an ERROR packet and are closed. `nil`: no limit.
    public var maximumConnections: Int?
    /// How long a peer may take to finish a packet or admin line it has started. Peers idle between frames
    /// (sleeping workers) are never timed out; this stops half-sent packets and slowloris senders.
    public var frameTimeout: TimeAmount = .seconds(30)
    /// Response bytes a peer may leave unread before it is disconnected. Must exceed ``maximumPacketSize``,
    /// or a healthy peer receiving a large result would be cut off.
    public var maximumPendingOutput = 2 * FrameDecoder.defaultMaximumPacketSize
    /// Queued background jobs per function and priority kept in memory with their payloads when the queue
    /// store can read jobs back (``ReadableQueueStore``, e.g. SQLite). Jobs behind them cost a few dozen bytes
    /// each and are read back in batches of half this size as the queue moves. `0` keeps every job in memory.
    public var queuedJobsInMemory = 10_000
    /// How long the final outcome of a background job (WORK_COMPLETE and its data, WORK_FAIL, WORK_EXCEPTION
    /// and its data, failed after its retries) stays readable with the `result HANDLE` admin command; `nil`
    /// keeps none. Results go to the queue store with the job's removal, or stay in memory without one.
    public var keepResults: TimeAmount?
    /// The result store's clock, which stamps and expires results; tests move it.
    var clock: @Sendable () -> Date = { Date() }

    /// TCP keepalive timing, in seconds (TCP_KEEPIDLE, TCP_KEEPINTVL) and probes (TCP_KEEPCNT).
    public struct Keepalive: Sendable, Hashable {
        public var idle: Int
        public var interval: Int
        public var count: Int

        public init(idle: Int = 7200, interval: Int = 75, count: Int = 9) {
            self.idle = idle
            self.interval = interval
            self.count = count
        }
    }

    public init(
        host: String = "0.0.0.0",
        port: Int = 4730,
        threads: Int = System.coreCount,
        maximumPacketSize: Int = FrameDecoder.defaultMaximumPacketSize,
        maximumLineLength: Int = FrameDecoder.defaultMaximumLineLength,
        jobRetries: Int = 0,
        handleHost: String = ProcessInfo.processInfo.hostName,
        version: String = GearmanServer.version
    ) {
        self.host = host
        self.port = port
        self.threads = max(threads, 1)
        self.maximumPacketSize = maximumPacketSize
        self.maximumLineLength = maximumLineLength
        self.jobRetries = jobRetries
        self.handleHost = handleHost
        self.version = version
    }
}
