import Foundation
import GearmanProtocol
import ProcessSupport
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
        let directory = try TestDirectory("geard-daemon").path
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

    /// Starts a daemon with its launcher's stdout and stderr on files in `directory`; returns the daemon's pid.
    private func startDaemon(in directory: String, _ arguments: [String]) async throws -> Int32 {
        let pidfile = directory + "/geard.pid"
        #expect(FileManager.default.createFile(atPath: directory + "/stdout", contents: nil))
        #expect(FileManager.default.createFile(atPath: directory + "/stderr", contents: nil))
        let standardOutput = try #require(FileHandle(forWritingAtPath: directory + "/stdout"))
        let standardError = try #require(FileHandle(forWritingAtPath: directory + "/stderr"))
        let launcher = arguments + ["--port", String(try GeardProcess.freePort()), "--listen-address", "127.0.0.1", "--pidfile", pidfile, "--queue", "memory"]
        #expect(try await GeardProcess.run(launcher, standardOutput: standardOutput, standardError: standardError) == 0)
        return try await readPID(pidfile)
    }

    /// Where `descriptor` of the process `pid` points.
    private func target(of descriptor: Int32, in pid: Int32) throws -> String {
        try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/fd/\(descriptor)")
    }

    @Test(.timeLimit(.minutes(1))) func theDefaultLoggingKeepsStandardErrorAndLogsToIt() async throws {
        let directory = try TestDirectory("geard-daemon-stderr").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let pid = try await startDaemon(in: directory, [])
        defer { kill(pid, SIGTERM) }
        #expect(try target(of: STDERR_FILENO, in: pid) == directory + "/stderr")
        #expect(try target(of: STDOUT_FILENO, in: pid) == "/dev/null")
        #expect(try target(of: STDIN_FILENO, in: pid) == "/dev/null")
        try await waitUntil { ((try? String(contentsOfFile: directory + "/stderr", encoding: .utf8)) ?? "").contains("listening") }
    }

    @Test(.timeLimit(.minutes(1))) func aLogConfigWithStreamHandlerToStdoutKeepsOnlyStdout() async throws {
        let directory = try TestDirectory("geard-daemon-stdout").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let config = """
            [loggers]
            keys=root
            [handlers]
            keys=console
            [formatters]
            keys=simple
            [logger_root]
            level=INFO
            handlers=console
            [handler_console]
            class=StreamHandler
            formatter=simple
            args=(sys.stdout,)
            [formatter_simple]
            format=%(levelname)s %(name)s: %(message)s
            """
        try config.write(toFile: directory + "/logging.config", atomically: true, encoding: .utf8)
        let pid = try await startDaemon(in: directory, ["--log-config", directory + "/logging.config"])
        defer { kill(pid, SIGTERM) }
        #expect(try target(of: STDOUT_FILENO, in: pid) == directory + "/stdout")
        #expect(try target(of: STDERR_FILENO, in: pid) == "/dev/null")
        try await waitUntil {
            ((try? String(contentsOfFile: directory + "/stdout", encoding: .utf8)) ?? "").contains("INFO gear.Server: listening")
        }
    }

    @Test(.timeLimit(.minutes(1))) func aLogConfigWithOnlyAFileDetachesBothStreams() async throws {
        let directory = try TestDirectory("geard-daemon-file").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let config = """
            [loggers]
            keys=root
            [handlers]
            keys=file
            [formatters]
            keys=
            [logger_root]
            level=INFO
            handlers=file
            [handler_file]
            class=FileHandler
            args=('\(directory)/geard.log',)
            """
        try config.write(toFile: directory + "/logging.config", atomically: true, encoding: .utf8)
        let pid = try await startDaemon(in: directory, ["--log-config", directory + "/logging.config"])
        defer { kill(pid, SIGTERM) }
        #expect(try target(of: STDOUT_FILENO, in: pid) == "/dev/null")
        #expect(try target(of: STDERR_FILENO, in: pid) == "/dev/null")
        try await waitUntil { ((try? String(contentsOfFile: directory + "/geard.log", encoding: .utf8)) ?? "").contains("listening") }
    }

    @Test func stalePidfileIsReplaced() async throws {
        let directory = try TestDirectory("geard-stale").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let pidfile = directory + "/geard.pid"
        // A pid that is certainly not running: beyond the kernel's pid_max.
        try "999999999\n".write(toFile: pidfile, atomically: true, encoding: .utf8)
        let server = try await GeardProcess(["--pidfile", pidfile, "--queue", "memory"])
        let pid = try await readPID(pidfile)
        #expect(pid == server.pid)
        await server.kill(SIGTERM)
    }

    @Test func versionFlag() async throws {
        let process = Process()
        process.executableURL = GeardProcess.binary
        process.arguments = ["--version"]
        let output = Pipe()
        process.standardOutput = output
        let exit = try ProcessExit(running: process)
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(text.hasPrefix("geard "))
        #expect(await exit.wait().status == 0)
    }
}
