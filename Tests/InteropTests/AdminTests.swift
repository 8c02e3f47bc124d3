import Foundation
import Testing

extension InteropTests {
    @Suite("gearadmin")
    struct Admin {
        @Test("status, workers, show-jobs, getpid, server-version", arguments: ServerKind.allCases)
        func gearadmin(server: ServerKind) async throws {
            try await InteropSession.run(server) { session in
                try await session.startWorkers([.php])
                let created = try await session.clientResult(.gear, "background", ["nobody-serves-this", "00", "normal"])
                let handle = try #require(created.handle)

                let status = try await runGearadmin(session, "--status")
                #expect(status.contains("nobody-serves-this\t1\t0\t0"))
                #expect(status.contains("reverse\t0\t0\t1"))
                #expect(status.last == ".")

                let workers = try await runGearadmin(session, "--workers")
                #expect(workers.contains { $0.contains(":") && $0.contains("reverse") && $0.contains("record") })
                #expect(workers.last == ".")

                let jobs = try await runGearadmin(session, "--show-jobs")
                #expect(jobs.contains { $0.hasPrefix(handle + "\t") })

                #expect(try await runGearadmin(session, "--getpid") == ["\(session.server.pid)"])
                let version = try await runGearadmin(session, "--server-version")
                #expect(version.count == 1 && version.first?.isEmpty == false)
            }
        }
    }
}

/// Runs `gearadmin` against the session's server and returns its output lines.
private func runGearadmin(_ session: InteropSession, _ option: String) async throws -> [String] {
    let child = try ChildProcess(["gearadmin", "-h", session.server.host, "-p", "\(session.server.port)", option])
    let status = try await child.waitForExit(timeout: .seconds(20))
    guard status == 0 else {
        throw InteropError("gearadmin \(option) exited \(status) (apt-get install gearman-tools): \(child.errorOutput)")
    }
    return child.output.split(separator: "\n", omittingEmptySubsequences: false).map(String.init).dropLast(child.output.hasSuffix("\n") ? 1 : 0)
}
