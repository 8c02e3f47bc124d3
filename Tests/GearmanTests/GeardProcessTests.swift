import Foundation
import Testing

/// The `geard` executable's own failure modes, seen from outside.
@Suite(.timeLimit(.minutes(1)))
struct GeardProcessTests {
    @Test func portInUseIsAnErrorNotACrash() async throws {
        let holder = try await TestServer(.gearmand)
        let output = try await ChildProcess.run([
            builtProduct("geard").path, "-d", "--port", String(holder.port), "--listen-address", "127.0.0.1", "--queue", "memory",
        ])
        #expect(output.status == 1, "\(output.stderr)")
        #expect(output.stderr.contains("Address already in use"))
    }

    @Test(arguments: ["soon", "15x", "0", "5w", "m", "2.5h"])
    func keepResultsRefusesWhatIsNotADuration(_ duration: String) async throws {
        let output = try await ChildProcess.run([builtProduct("geard").path, "-d", "--queue", "memory", "--keep-results", duration])
        #expect(output.status != 0)
        #expect(output.stderr.contains("'\(duration)' is not a duration: expected seconds or a positive number with s, m, h or d"), "\(output.stderr)")
    }

    @Test(arguments: [["--threads", "0"], ["--queued-jobs-in-memory", "-1"], ["--drain-timeout", "-1"]])
    func outOfRangeNumbersAreRefused(_ flag: [String]) async throws {
        let output = try await ChildProcess.run([builtProduct("geard").path, "-d", "--queue", "memory"] + flag)
        #expect(output.status != 0)
        #expect(output.stderr.contains(flag[0]), "\(output.stderr)")
    }
}
