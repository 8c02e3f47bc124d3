import CoreMetrics
import NIOConcurrencyHelpers

/// A metric that accumulates between flushes and then hands over its statsd lines.
protocol StatsdMetric: AnyObject, Sendable {
    /// The lines for what was recorded since the last call, which it forgets.
    func drain(into lines: inout [String])
}

/// A statsd counter (`key:N|c`): increments are summed between flushes.
final class StatsdCounter: CounterHandler, StatsdMetric {
    private let key: String
    private let count = NIOLockedValueBox<Int64>(0)

    init(key: String) { self.key = key }

    func increment(by amount: Int64) { count.withLockedValue { $0 += amount } }
    func reset() { count.withLockedValue { $0 = 0 } }

    func drain(into lines: inout [String]) {
        let value = count.withLockedValue { value in
            defer { value = 0 }
            return value
        }
        if value != 0 { lines.append("\(key):\(value)|c") }
    }
}

/// A statsd gauge (`key:V|g`), sent when it was set since the last flush. swift-metrics gauges and meters.
final class StatsdGauge: RecorderHandler, MeterHandler, StatsdMetric {
    private struct State {
        var value: Double = 0
        var changed = false
    }

    private let key: String
    private let state = NIOLockedValueBox(State())

    init(key: String) { self.key = key }

    func record(_ value: Int64) { set(Double(value)) }
    func record(_ value: Double) { set(value) }
    func set(_ value: Int64) { set(Double(value)) }
    func set(_ value: Double) { state.withLockedValue { $0 = State(value: value, changed: true) } }
    func increment(by amount: Double) { state.withLockedValue { $0 = State(value: $0.value + amount, changed: true) } }
    func decrement(by amount: Double) { increment(by: -amount) }

    func drain(into lines: inout [String]) {
        guard let value = state.withLockedValue({ state -> Double? in
            defer { state.changed = false }
            return state.changed ? state.value : nil
        })
        else { return }
        // A leading sign means "adjust by" to statsd: a negative value needs a reset to 0 first.
        if value < 0 { lines.append("\(key):0|g") }
        lines.append("\(key):\(StatsdSampler.format(value))|g")
    }
}

/// Timers (`key:ms|ms`) and histograms (`key:v|h`): each value is a line, up to a fixed number per flush,
/// beyond which a uniform sample is kept and sent with its sample rate (`|@0.25`) so counts stay right.
final class StatsdSampled: TimerHandler, RecorderHandler, StatsdMetric {
    private let key: String
    private let type: String
    private let sampler: NIOLockedValueBox<StatsdSampler>

    init(key: String, type: String, capacity: Int) {
        self.key = key
        self.type = type
        sampler = NIOLockedValueBox(StatsdSampler(capacity: capacity))
    }

    func recordNanoseconds(_ duration: Int64) { sampler.withLockedValue { $0.add(Double(duration) / 1e6) } }
    func record(_ value: Int64) { sampler.withLockedValue { $0.add(Double(value)) } }
    func record(_ value: Double) { sampler.withLockedValue { $0.add(value) } }

    func drain(into lines: inout [String]) {
        let (values, rate) = sampler.withLockedValue { $0.take() }
        let suffix = rate < 1 ? "|\(type)|@\(StatsdSampler.format(rate))" : "|\(type)"
        for value in values { lines.append("\(key):\(StatsdSampler.format(value))\(suffix)") }
    }
}

/// Reservoir sampling of up to `capacity` values between flushes.
struct StatsdSampler {
    let capacity: Int
    private var values: [Double] = []
    private var seen = 0
    private var random: UInt64 = 0x9E37_79B9_7F4A_7C15

    init(capacity: Int) { self.capacity = max(capacity, 1) }

    mutating func add(_ value: Double) {
        seen += 1
        if values.count < capacity {
            values.append(value)
            return
        }
        // xorshift64: cheap and good enough to pick which sample to replace.
        random ^= random << 13
        random ^= random >> 7
        random ^= random << 17
        let slot = Int(random % UInt64(seen))
        if slot < capacity { values[slot] = value }
    }

    /// The kept values and the fraction of all recorded values they stand for; starts over.
    mutating func take() -> (values: [Double], rate: Double) {
        defer {
            values.removeAll(keepingCapacity: true)
            seen = 0
        }
        return (values, seen == 0 ? 1 : Double(values.count) / Double(seen))
    }

    /// Integers without a fraction, others with up to six decimal places.
    static func format(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        var text = String(format: "%.6f", value)
        while text.hasSuffix("0") { text.removeLast() }
        return text
    }
}
