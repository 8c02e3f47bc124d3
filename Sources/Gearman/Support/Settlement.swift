import NIOCore
import Synchronization

/// A result set once that any number of tasks can await, cancellably. It is a value kept under its owner's lock
/// (awaited with ``Synchronization/Mutex/value(of:)``), so that an object with several outcomes takes one lock and one
/// allocation for all of them.
struct Settlement<Value: Sendable>: Sendable {
    typealias Waiter = UnsafeContinuation<Value, any Error>

    /// Who awaits the result: almost always one task, kept without allocating.
    enum Waiters: Sendable {
        case none
        case one(id: Int, Waiter)
        case many([Int: Waiter])

        /// Resumes every waiter; call outside the lock.
        func resume(with result: Result<Value, any Error>) {
            switch self {
            case .none: break
            case .one(_, let waiter): waiter.resume(with: result)
            case .many(let waiters): waiters.values.forEach { $0.resume(with: result) }
            }
        }
    }

    private(set) var result: Result<Value, any Error>?
    private var waiters = Waiters.none
    private var nextWaiter = 0

    /// Sets the result. Returns the waiters to resume outside the lock, or `nil` if the result was already set.
    mutating func settle(_ result: Result<Value, any Error>) -> Waiters? {
        guard self.result == nil else { return nil }
        self.result = result
        defer { waiters = .none }
        return waiters
    }

    /// The result if it is set, else an id for ``add(_:id:)``.
    fileprivate mutating func prepareToWait() -> (Result<Value, any Error>?, id: Int) {
        defer { nextWaiter += 1 }
        return (result, nextWaiter)
    }

    /// Keeps `waiter` until the result is set; returns the result instead when it is set already, or
    /// `CancellationError` when the task is cancelled.
    fileprivate mutating func add(_ waiter: Waiter, id: Int) -> Result<Value, any Error>? {
        if let result { return result }
        if Task.isCancelled { return .failure(CancellationError()) }
        switch waiters {
        case .none:
            waiters = .one(id: id, waiter)
        case .one(let other, let otherWaiter):
            waiters = .many([other: otherWaiter, id: waiter])
        case .many(var all):
            waiters = .none  // `all` is then the only reference: the insert does not copy the dictionary
            all[id] = waiter
            waiters = .many(all)
        }
        return nil
    }

    /// Stops keeping the waiter `id` (its task was cancelled) and returns it to resume.
    fileprivate mutating func removeWaiter(_ id: Int) -> Waiter? {
        switch waiters {
        case .one(id, let waiter):
            waiters = .none
            return waiter
        case .many(var all):
            waiters = .none  // as in `add`
            let waiter = all.removeValue(forKey: id)
            waiters = .many(all)
            return waiter
        case .none, .one:
            return nil
        }
    }
}

extension Mutex where Value: Sendable {
    /// Awaits the settlement at `path` in the locked value. Throws `CancellationError` if the task is cancelled first.
    ///
    /// `nonisolated(nonsending)`, as are the client's and worker's async functions on a job's path: it runs on the
    /// caller's executor, where a call to a plain nonisolated async function would switch executors on entry and on
    /// return, each switch checking the task's executor preference under a lock in the Swift runtime (about 200
    /// instructions). Inlined too: a call that is not projects the key path at run time.
    @inline(__always) nonisolated(nonsending) func value<Result: Sendable>(of path: WritableKeyPath<Value, Settlement<Result>> & Sendable) async throws -> Result {
        let (ready, id) = withLock { $0[keyPath: path].prepareToWait() }
        if let ready { return try ready.get() }
        return try await withTaskCancellationHandler {
            try await withUnsafeThrowingContinuation { waiter in
                if let ready = withLock({ $0[keyPath: path].add(waiter, id: id) }) { waiter.resume(with: ready) }
            }
        } onCancel: {
            withLock { $0[keyPath: path].removeWaiter(id) }?.resume(throwing: CancellationError())
        }
    }
}

/// A ``Settlement`` with a lock of its own, for a result that stands alone.
final class OneShot<Value: Sendable>: Sendable {
    private let state = Mutex(Settlement<Value>())

    var result: Result<Value, any Error>? { state.withLock { $0.result } }

    /// Sets the result and wakes every waiter. Returns `false` if it was already set.
    @discardableResult
    func fulfill(_ result: Result<Value, any Error>) -> Bool {
        guard let waiters = state.withLock({ $0.settle(result) }) else { return false }
        waiters.resume(with: result)
        return true
    }

    func value() async throws -> Value {
        try await state.value(of: \.self)
    }
}

extension EventLoopFuture where Value: Sendable {
    /// The future's value, or `CancellationError` as soon as the calling task is cancelled (`get()` waits regardless).
    func valueUnlessCancelled() async throws -> Value {
        let result = OneShot<Value>()
        whenComplete { result.fulfill($0) }
        return try await result.value()
    }
}
