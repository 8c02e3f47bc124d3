import Synchronization
import Testing

@testable import Gearman

@Suite("OneShot", .timeLimit(.minutes(1)))
struct OneShotTests {
    @Test func everyWaiterGetsTheResultAndLaterCallersGetItAtOnce() async throws {
        let shot = OneShot<Int>()
        let waiting = Waiting()
        let waiters = (0..<3).map { _ in
            Task {
                waiting.arrive()
                return try await shot.value()
            }
        }
        await waiting.until(3)
        #expect(shot.fulfill(.success(7)))
        #expect(!shot.fulfill(.success(8)))
        for waiter in waiters { #expect(try await waiter.value == 7) }
        #expect(try await shot.value() == 7)
    }

    @Test func aCancelledWaiterLeavesAndTheOthersStillGetTheResult() async throws {
        let shot = OneShot<String>()
        let waiting = Waiting()
        let staying = Task {
            waiting.arrive()
            return try await shot.value()
        }
        let leaving = Task {
            waiting.arrive()
            return try await shot.value()
        }
        await waiting.until(2)
        leaving.cancel()
        await #expect(throws: CancellationError.self) { try await leaving.value }
        shot.fulfill(.success("done"))
        #expect(try await staying.value == "done")
    }

    @Test func aFailureReachesEveryWaiter() async {
        let shot = OneShot<Void>()
        shot.fulfill(.failure(GearmanError.timeout))
        await #expect(throws: GearmanError.timeout) { try await shot.value() }
    }
}

/// Counts tasks that reached their wait, so that most waiters are suspended when the result comes. The tests do not
/// depend on it: a waiter that comes after the result gets it at once.
private final class Waiting: Sendable {
    private let arrived = Mutex(0)

    func arrive() { arrived.withLock { $0 += 1 } }

    func until(_ count: Int) async {
        while arrived.withLock({ $0 }) < count { await Task.yield() }
    }
}
