import NIOCore

/// Jobs submitted and ended per second over the last ``seconds`` seconds, for the dashboard's chart.
/// Recording is two integer additions; old buckets are cleared lazily as time moves on.
struct ThroughputHistory {
    static let seconds = 60

    enum Event {
        case submitted
        case ended
    }

    private var submitted = [Int](repeating: 0, count: seconds)
    private var ended = [Int](repeating: 0, count: seconds)
    /// The second (of uptime) the newest bucket counts.
    private var newestSecond: Int64 = 0

    mutating func record(_ event: Event, at now: NIODeadline) {
        let index = advance(to: now)
        switch event {
        case .submitted: submitted[index] += 1
        case .ended: ended[index] += 1
        }
    }

    /// Counts per second, oldest first; the last entry is the current, still running second.
    mutating func window(at now: NIODeadline) -> (submitted: [Int], ended: [Int]) {
        let index = advance(to: now)
        let order = (1...Self.seconds).map { (index + $0) % Self.seconds }
        return (order.map { submitted[$0] }, order.map { ended[$0] })
    }

    /// Clears the buckets of the seconds that passed since the last event; returns the current bucket.
    private mutating func advance(to now: NIODeadline) -> Int {
        let second = Int64(now.uptimeNanoseconds / 1_000_000_000)
        if second > newestSecond {
            for offset in 1...min(second - newestSecond, Int64(Self.seconds)) {
                let index = Int((newestSecond + offset) % Int64(Self.seconds))
                submitted[index] = 0
                ended[index] = 0
            }
            newestSecond = second
        }
        return Int(newestSecond % Int64(Self.seconds))
    }
}
