import CoreMetrics
import GearmanProtocol
import NIOCore

/// The scheduler's figures for swift-metrics, with every metric object made once (per packet type at start,
/// per function on first use) so the hot path only reads a clock and touches existing handlers.
///
/// Names, as statsd keys (a backend that has dimensions sees the last parts as dimensions):
/// - `packet.<TYPE>`: a counter and a timer per packet handled (gear's `prefix.packet.NAME`);
/// - `queue.depth.<function>.<priority>`, `jobs.running.<function>`: gauges;
/// - `job.wait_time.<function>`, `job.run_time.<function>`: timers from queued to assigned, assigned to done;
/// - `connections.clients`, `connections.workers`: gauges (a worker is a connection with a registered function).
///
/// Confined to the scheduler's event loop, as the scheduler is.
final class ServerMetrics {
    /// The count and timing of one packet type.
    fileprivate struct PacketMetrics {
        let counter: Counter
        let timer: CoreMetrics.Timer
    }

    /// A packet's handling time in progress; ``finish()`` records it.
    struct PacketTiming {
        fileprivate let metrics: PacketMetrics
        fileprivate let start: NIODeadline

        func finish() {
            metrics.counter.increment()
            metrics.timer.recordNanoseconds(Int64(NIODeadline.now().uptimeNanoseconds - start.uptimeNanoseconds))
        }
    }

    private let factory: any MetricsFactory
    /// Indexed by packet type raw value; `nil` for the numbers the protocol leaves unused.
    private let packets: [PacketMetrics?]
    private let clients: Gauge
    private let workers: Gauge
    /// Functions that have metrics, to destroy them when the function goes away.
    private var tracked: [ObjectIdentifier: FunctionQueue] = [:]

    init(factory: any MetricsFactory) {
        self.factory = factory
        packets = (0...PacketType.allCases.map(\.rawValue).max()!).map { rawValue in
            PacketType(rawValue: rawValue).map { type in
                PacketMetrics(
                    counter: Counter(label: "packet", dimensions: [("type", type.name)], factory: factory),
                    timer: CoreMetrics.Timer(label: "packet", dimensions: [("type", type.name)], factory: factory)
                )
            }
        }
        clients = Gauge(label: "connections.clients", factory: factory)
        workers = Gauge(label: "connections.workers", factory: factory)
    }

    func startPacket(_ type: PacketType) -> PacketTiming {
        PacketTiming(metrics: packets[Int(type.rawValue)]!, start: .now())
    }

    /// A job was assigned to a worker now: records how long it waited in its queue.
    func jobStarted(_ job: Job, at now: NIODeadline) {
        metrics(of: job.function).waitTime.recordNanoseconds(Int64(now.uptimeNanoseconds - job.queuedAt.uptimeNanoseconds))
    }

    /// A running job ended (completed, failed or gave up) now: records how long it ran.
    func jobEnded(_ job: Job, at now: NIODeadline) {
        metrics(of: job.function).runTime.recordNanoseconds(Int64(now.uptimeNanoseconds - job.startedAt.uptimeNanoseconds))
    }

    /// Sets every gauge from the scheduler's tables; functions that are gone lose their metrics.
    func sample(functions: [ByteBuffer: FunctionQueue], connections: [Int: ServerConnection]) {
        for (key, function) in tracked where functions[function.name] !== function {
            function.metrics?.destroy()
            function.metrics = nil
            tracked[key] = nil
        }
        for function in functions.values {
            let metrics = metrics(of: function)
            for priority in JobPriority.allCases {
                metrics.queued[priority.rawValue].record(function.queuedCount[priority.rawValue])
            }
            metrics.running.record(function.runningCount)
        }
        let workerCount = connections.values.lazy.filter { !$0.abilities.isEmpty }.count
        workers.record(workerCount)
        clients.record(connections.count - workerCount)
    }

    private func metrics(of function: FunctionQueue) -> FunctionMetrics {
        if let existing = function.metrics { return existing }
        let created = FunctionMetrics(function: function.displayName, factory: factory)
        function.metrics = created
        tracked[ObjectIdentifier(function)] = function
        return created
    }
}

/// The metrics of one function.
final class FunctionMetrics {
    /// Indexed by `JobPriority.rawValue`.
    let queued: [Gauge]
    let running: Gauge
    let waitTime: CoreMetrics.Timer
    let runTime: CoreMetrics.Timer

    init(function: String, factory: any MetricsFactory) {
        let dimension = ("function", function)
        queued = JobPriority.allCases.map {
            Gauge(label: "queue.depth", dimensions: [dimension, ("priority", $0.name)], factory: factory)
        }
        running = Gauge(label: "jobs.running", dimensions: [dimension], factory: factory)
        waitTime = CoreMetrics.Timer(label: "job.wait_time", dimensions: [dimension], factory: factory)
        runTime = CoreMetrics.Timer(label: "job.run_time", dimensions: [dimension], factory: factory)
    }

    func destroy() {
        queued.forEach { $0.destroy() }
        running.destroy()
        waitTime.destroy()
        runTime.destroy()
    }
}
