import Foundation
import ProcessSupport
import Testing

/// The test support that sees a child process end (see ``ProcessExit``): what it reports, and its waits.
@Suite(.timeLimit(.minutes(1)))
struct ProcessExitTests {
    private func start(_ arguments: [String]) throws -> (pid: Int32, exit: ProcessExit) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let exit = try ProcessExit(running: process)
        return (process.processIdentifier, exit)
    }

    @Test func anExitStatusIsReported() async throws {
        let (_, exit) = try start(["sh", "-c", "exit 3"])
        let termination = await exit.wait()
        #expect(termination.status == 3 && !termination.bySignal)
        #expect(exit.hasEnded)
    }

    @Test func aSignalIsReportedAndEveryWaiterLearnsOfIt() async throws {
        let (pid, exit) = try start(["sleep", "60"])
        #expect(exit.wait(timeout: .milliseconds(50)) == nil)
        #expect(!exit.hasEnded)
        async let first = exit.wait()
        async let second = exit.wait()
        kill(pid, SIGKILL)
        let (one, other) = await (first, second)
        for termination in [one, other, exit.wait(timeout: .zero), exit.wait(timeout: .zero)] {
            #expect(termination?.status == SIGKILL && termination?.bySignal == true)
        }
    }
}
