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
}
