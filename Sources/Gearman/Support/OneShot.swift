import NIOConcurrencyHelpers

/// A result set once that any number of tasks can await; waiting is cancellable.
final class OneShot<Value: Sendable>: Sendable {
    private struct State {
        var result: Result<Value, any Error>?
        var waiters: [Int: UnsafeContinuation<Value, any Error>] = [:]
        var nextWaiter = 0
    }

    private let state = NIOLockedValueBox(State())

    var result: Result<Value, any Error>? { state.withLockedValue { $0.result } }

    /// Sets the result and wakes every waiter. Returns `false` if it was already set.
    @discardableResult
    func fulfill(_ result: Result<Value, any Error>) -> Bool {
        let waiters: [Int: UnsafeContinuation<Value, any Error>]? = state.withLockedValue { state in
            guard state.result == nil else { return nil }
            state.result = result
            defer { state.waiters = [:] }
            return state.waiters
        }
        waiters?.values.forEach { $0.resume(with: result) }
        return waiters != nil
    }

    func value() async throws -> Value {
        let (result, id) = state.withLockedValue { state in
            defer { state.nextWaiter += 1 }
            return (state.result, state.nextWaiter)
        }
        if let result { return try result.get() }
        return try await withTaskCancellationHandler {
            try await withUnsafeThrowingContinuation { continuation in
                let ready: Result<Value, any Error>? = state.withLockedValue { state in
                    if let result = state.result { return result }
                    if Task.isCancelled { return .failure(CancellationError()) }
                    state.waiters[id] = continuation
                    return nil
                }
                if let ready { continuation.resume(with: ready) }
            }
        } onCancel: {
            state.withLockedValue { $0.waiters.removeValue(forKey: id) }?.resume(throwing: CancellationError())
        }
    }
}

/// Runs `operation`, throwing ``GearmanError/timeout`` if it takes longer than `timeout` (`nil`: no limit).
func withTimeout<T: Sendable>(_ timeout: Duration?, _ operation: @escaping @Sendable () async throws -> T) async throws -> T {
    guard let timeout else { return try await operation() }
    return try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask { try await operation() }
        group.addTask {
            try await Task.sleep(for: timeout)
            throw GearmanError.timeout
        }
        defer { group.cancelAll() }
        return try await group.next()!
    }
}
