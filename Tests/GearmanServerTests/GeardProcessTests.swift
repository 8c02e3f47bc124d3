import Foundation
import GearmanProtocol
import ProcessSupport
import Testing

/// The `geard` executable built next to the tests: logging configuration, pidfile, SIGTERM drain, exit status.
@Suite struct GeardProcessTests {
    private static let geard = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("geard")

    private struct Run {
        let pid: Int32
        let exit: ProcessExit
        let standardError: Pipe

        func status() async -> Int32 {
            await exit.wait().status
        }
    }

    private func launch(_ arguments: [String]) throws -> Run {
        let process = Process()
        process.executableURL = Self.geard
        process.arguments = arguments
        let standardError = Pipe()
        process.standardError = standardError
        process.standardOutput = FileHandle.nullDevice
        let exit = try ProcessExit(running: process)
        return Run(pid: process.processIdentifier, exit: exit, standardError: standardError)
    }

    /// Polls `file` until a line matches, for at most ten seconds.
    private func waitForLine(in file: String, matching pattern: Regex<(Substring, Substring)>) async throws -> String {
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            let text = (try? String(contentsOfFile: file, encoding: .utf8)) ?? ""
            if let match = text.firstMatch(of: pattern) { return String(match.output.1) }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw TestPeer.TimedOut()
    }

    @Test func logConfigPidfileAndSIGTERMDrain() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("geard-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let config = directory + "/logging.config"
        try """
            [loggers]
            keys=root,gear
            [handlers]
            keys=console,info
            [formatters]
            keys=simple
            [logger_root]
            level=WARNING
            handlers=console
            [logger_gear]
            level=INFO
            handlers=info
            qualname=gear
            [handler_console]
            level=WARNING
            class=StreamHandler
            args=(sys.stderr,)
            [handler_info]
            class=logging.handlers.TimedRotatingFileHandler
            formatter=simple
            args=('\(directory)/info.log', 'midnight', 1, 30,)
            [formatter_simple]
            format=%(asctime)s %(levelname)s %(name)s: %(message)s
            datefmt=
            """.write(toFile: config, atomically: true, encoding: .utf8)
        let pidfile = directory + "/geard.pid"
        let run = try launch(["-d", "-p", "0", "--listen-address", "127.0.0.1", "--queue", "memory", "--log-config", config, "--pidfile", pidfile])
        let port = try #require(Int(try await waitForLine(in: directory + "/info.log", matching: #/INFO gear\.Server: listening address=\S+:(\d+)/#)))
        // The pidfile is written right after the listener is bound, a moment after the log line.
        try await waitUntil { FileManager.default.fileExists(atPath: pidfile) }
        #expect(try String(contentsOfFile: pidfile, encoding: .utf8) == "\(run.pid)\n")

        let client = try await TestPeer(port: port)
        try await client.send(.submitJob, "slow", "", "x")
        let handle = try await client.receivePacket().string(0)
        let worker = try await TestPeer(port: port)
        try await worker.send(.canDo, "slow")
        try await worker.send(.grabJob)
        #expect(try await worker.receivePacket().type == .jobAssign)

        kill(run.pid, SIGTERM)
        _ = try await waitForLine(in: directory + "/info.log", matching: #/NOTICE gear\.Server: (draining)/#)
        try await worker.send(.workComplete, handle, "done")
        #expect(try await client.receivePacket() == Packet(.response, .workComplete, [handle, "done"]))
        #expect(await run.status() == 0)
        #expect(!FileManager.default.fileExists(atPath: pidfile))
    }

    @Test func unsupportedLogConfigStopsGeardAtStart() async throws {
        let config = FileManager.default.temporaryDirectory.appendingPathComponent("geard-\(UUID().uuidString).config").path
        try "[loggers]\nkeys=root\n[handlers]\nkeys=h\n[logger_root]\nhandlers=h\n[handler_h]\nclass=handlers.SysLogHandler\n"
            .write(toFile: config, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: config) }
        let run = try launch(["-d", "-p", "0", "--queue", "memory", "--log-config", config])
        let message = String(decoding: try run.standardError.fileHandleForReading.readToEnd() ?? Data(), as: UTF8.self)
        #expect(await run.status() != 0)
        #expect(message.contains("handler class 'handlers.SysLogHandler' is not supported"))
    }

    private func temporaryFile(_ contents: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("geard-\(UUID().uuidString)").path
        try contents.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func aclFileWithAnErrorStopsGeardAtStartWithItsLine() async throws {
        let acl = try temporaryFile("[worker]\nregister=.*\n[client]\ninvoke=(unclosed\n")
        defer { try? FileManager.default.removeItem(atPath: acl) }
        let run = try launch(["-d", "-p", "0", "--queue", "memory", "--acl", acl])
        let message = String(decoding: try run.standardError.fileHandleForReading.readToEnd() ?? Data(), as: UTF8.self)
        #expect(await run.status() != 0)
        #expect(message.contains("line 4: invalid regular expression '(unclosed'"), "\(message)")
    }

    @Test func sighupReloadsTheACLAndKeepsTheOldOneOnError() async throws {
        let acl = try temporaryFile("[first]\ngrant=yes\n")
        let log = try temporaryFile("")
        defer { for path in [acl, log] { try? FileManager.default.removeItem(atPath: path) } }
        let geard = try await GeardProcess(["--queue", "memory", "--acl", acl], standardError: FileHandle(forWritingAtPath: log))
        let admin = try await TestPeer(port: geard.port)
        #expect(try await admin.adminResponse("acl list") == ["first\tregister=None\tinvoke=None\tgrant=True", "."])

        try "[second]\ninvoke=.*\n".write(toFile: acl, atomically: true, encoding: .utf8)
        kill(geard.pid, SIGHUP)
        try await waitUntil { try await admin.adminResponse("acl list") == ["second\tregister=None\tinvoke=.*\tgrant=False", "."] }

        try "[third]\ngrant=perhaps\n".write(toFile: acl, atomically: true, encoding: .utf8)
        kill(geard.pid, SIGHUP)
        try await waitUntil { (try? String(contentsOfFile: log, encoding: .utf8))?.contains("ACL reload failed") == true }
        #expect(try String(contentsOfFile: log, encoding: .utf8).contains("line 2: grant must be a boolean"))
        #expect(try await admin.adminResponse("acl list") == ["second\tregister=None\tinvoke=.*\tgrant=False", "."])
        #expect(geard.isRunning)
        await geard.kill(SIGTERM)  // On a failure before here, its deinit kills it.
    }
}
