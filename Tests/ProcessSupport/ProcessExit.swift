import Foundation
import Synchronization

/// How a child process ended.
public struct Termination: Sendable {
    /// The exit status, or the number of the signal that ended the process.
    public var status: Int32
    /// Whether a signal ended the process.
    public var bySignal: Bool
}

/// Starts a `Process` and learns of its end reliably, for tests that run real programs.
///
/// Foundation on Linux learns that a child exited when a socket the child inherited closes. A process that another
/// test spawns at the same moment can inherit that socket too and hide the exit for as long as it runs
/// (swift-corelibs-foundation#4795): `waitUntilExit()` then hangs, `isRunning` stays true and the termination handler
/// never runs. So the exit is also awaited with `waitid(WEXITED | WNOWAIT)`, which sees it at once and leaves the
/// reaping to Foundation; whichever of the two learns of the exit first reports it.
public final class ProcessExit: Sendable {
    private struct State {
        var termination: Termination?
        var waiters: [CheckedContinuation<Termination, Never>] = []
    }

    private let state = Mutex(State())
    /// Signalled once the process has ended; each blocking waiter takes the signal and puts it back.
    private let ended = DispatchSemaphore(value: 0)

    /// Starts `process`, whose termination handler this takes over.
    public init(running process: Process) throws {
        process.terminationHandler = { [self] process in
            report(Termination(status: process.terminationStatus, bySignal: process.terminationReason == .uncaughtSignal))
        }
        try process.run()
        let pid = process.processIdentifier
        Thread.detachNewThread { [self] in
            if let termination = Self.waitForExit(of: pid) { report(termination) }
        }
    }

    /// How the process ended, or `nil` while it runs.
    public var termination: Termination? { state.withLock { $0.termination } }

    /// Whether the process has ended.
    public var hasEnded: Bool { termination != nil }

    /// Waits until the process has ended.
    public func wait() async -> Termination {
        await withCheckedContinuation { waiter in
            let ended = state.withLock { state in
                if state.termination == nil { state.waiters.append(waiter) }
                return state.termination
            }
            if let ended { waiter.resume(returning: ended) }
        }
    }

    /// Blocks the calling thread until the process has ended, for at most `timeout`; `nil` if it still runs.
    public func wait(timeout: Duration) -> Termination? {
        let (seconds, attoseconds) = timeout.components
        let deadline = DispatchTime.now() + .nanoseconds(Int(seconds) * 1_000_000_000 + Int(attoseconds / 1_000_000_000))
        guard ended.wait(timeout: deadline) == .success else { return nil }
        ended.signal()
        return termination
    }

    private func report(_ termination: Termination) {
        let waiters = state.withLock { state -> [CheckedContinuation<Termination, Never>]? in
            guard state.termination == nil else { return nil }
            state.termination = termination
            defer { state.waiters = [] }
            return state.waiters
        }
        guard let waiters else { return }
        ended.signal()
        waiters.forEach { $0.resume(returning: termination) }
    }

    /// Waits until the child `pid` exits, without reaping it; `nil` if Foundation has reaped it already.
    private static func waitForExit(of pid: pid_t) -> Termination? {
        var info = siginfo_t()
        while waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) != 0 {
            guard errno == EINTR else { return nil }
        }
        return Termination(status: info._sifields._sigchld.si_status, bySignal: info.si_code != CLD_EXITED)
    }
}
