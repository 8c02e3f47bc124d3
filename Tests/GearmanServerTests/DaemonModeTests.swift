import Foundation
import GearmanProtocol
import Testing

/// `geard` without `-d` detaches: the launched process exits at once and a daemon serves, owning the pidfile.
@Suite struct DaemonModeTests {
    private func readPID(_ path: String) async throws -> Int32 {
        var pid: Int32?
        try await waitUntil {
            pid = (try? String(contentsOfFile: path, encoding: .utf8)).flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
            return pid != nil
        }
        return try #require(pid)
    }

    @Test(.timeLimit(.minutes(1))) func detachesServesAndStopsOnSIGTERM() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("geard-daemon-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let pidfile = directory + "/geard.pid"
        let port = try GeardProcess.freePort()
        let arguments = ["--port", String(port), "--listen-address", "127.0.0.1", "--pidfile", pidfile, "--queue-path", directory + "/q.sqlite"]
        #expect(try await GeardProcess.run(arguments) == 0)
        let pid = try await readPID(pidfile)
        #expect(kill(pid, 0) == 0)

        let peer = try await TestPeer(port: port)
        try await peer.send(.echoReq, "daemon")
        #expect(try await peer.receivePacket() == Packet(.response, .echoRes, ["daemon"]))

        // A second daemon with the same pidfile refuses while the first lives.
        let second = ["--port", String(try GeardProcess.freePort()), "--listen-address", "127.0.0.1", "-d", "--pidfile", pidfile, "--queue", "memory"]
        #expect(try await GeardProcess.run(second) != 0)

        kill(pid, SIGTERM)
        try await waitUntil { kill(pid, 0) != 0 && !FileManager.default.fileExists(atPath: pidfile) }
    }

    @Test func stalePidfileIsReplaced() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("geard-stale-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let pidfile = directory + "/geard.pid"
        // A pid that is certainly not running: beyond the kernel's pid_max.
        try "999999999\n".write(toFile: pidfile, atomically: true, encoding: .utf8)
        let server = try await GeardProcess(["--pidfile", pidfile, "--queue", "memory"])
        let pid = try await readPID(pidfile)
        #expect(pid == server.process.processIdentifier)
        await server.kill(SIGTERM)
    }

    @Test func versionFlag() async throws {
        let process = Process()
        process.executableURL = GeardProcess.binary
        process.arguments = ["--version"]
        let output = Pipe()
        process.standardOutput = output
        let exited = GeardProcess.watchExit(of: process)
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        for await _ in exited {}
        #expect(text.hasPrefix("geard "))
        #expect(process.terminationStatus == 0)
    }
}
