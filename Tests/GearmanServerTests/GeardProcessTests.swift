import Foundation
import GearmanProtocol
import Testing

/// The `geard` executable built next to the tests: logging configuration, pidfile, SIGTERM drain, exit status.
@Suite struct GeardProcessTests {
    private static let geard = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("geard")

    private struct Run {
        let process: Process
        let standardError: Pipe
        let exited: AsyncStream<Void>

        func status() async -> Int32 {
            for await _ in exited {}
            return process.terminationStatus
        }
    }

    private func launch(_ arguments: [String]) throws -> Run {
        let process = Process()
        process.executableURL = Self.geard
        process.arguments = arguments
        let standardError = Pipe()
        process.standardError = standardError
        process.standardOutput = FileHandle.nullDevice
        let (exited, continuation) = AsyncStream<Void>.makeStream()
        process.terminationHandler = { _ in continuation.finish() }
        try process.run()
        return Run(process: process, standardError: standardError, exited: exited)
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
        #expect(try String(contentsOfFile: pidfile, encoding: .utf8) == "\(run.process.processIdentifier)\n")

        let client = try await TestPeer(port: port)
        try await client.send(.submitJob, "slow", "", "x")
        let handle = try await client.receivePacket().string(0)
        let worker = try await TestPeer(port: port)
        try await worker.send(.canDo, "slow")
        try await worker.send(.grabJob)
        #expect(try await worker.receivePacket().type == .jobAssign)

        run.process.terminate()  // SIGTERM
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
}
