/// Exponential reconnect delays: `initial`, doubling per failed attempt, capped at `maximum`.
public struct Backoff: Sendable, Hashable {
    public var initial: Duration
    public var maximum: Duration

    public init(initial: Duration = .milliseconds(100), maximum: Duration = .seconds(10)) {
        self.initial = initial
        self.maximum = maximum
    }

    /// The delay before reconnect attempt `attempt` (1 for the first retry).
    func delay(attempt: Int) -> Duration {
        let doublings = min(max(attempt - 1, 0), 30)
        return min(initial * (1 << doublings), maximum)
    }
}
