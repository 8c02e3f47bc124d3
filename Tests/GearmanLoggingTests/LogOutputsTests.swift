import Foundation
import Logging
import Testing

@testable import GearmanLogging

@Suite struct LogOutputsTests {
    /// The seed's example with its log directory moved into `directory`, and the console on a file so the
    /// test can read it.
    private func seedOutputs(in directory: TemporaryDirectory) throws -> LogOutputs {
        let text = seedExample.replacingOccurrences(of: "/var/log/gear", with: directory.path)
            .replacingOccurrences(of: "class=StreamHandler\nformatter=simple\nargs=(sys.stdout,)", with: "class=FileHandler\nformatter=simple\nargs=('\(directory.file("console.log"))',)")
        return try LogOutputs(LogConfiguration(parsing: text))
    }

    @Test func seedExampleRoutesByLoggerAndHandlerLevels() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let outputs = try seedOutputs(in: directory)
        let server = Logger(label: "gear.Server", factory: outputs.makeHandler)
        let other = Logger(label: "geard.lifecycle", factory: outputs.makeHandler)
        #expect(server.logLevel == .info)
        #expect(other.logLevel == .warning)

        server.debug("dropped: gear is at INFO")
        server.info("listening", metadata: ["port": "4730", "address": "::"])
        server.warning("queue full")
        other.info("dropped: the root is at WARNING")
        other.error("lost")

        let pattern = #/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} /#
        let info = directory.lines(of: "info.log")
        #expect(info.count == 2)
        #expect(info.allSatisfy { $0.contains(pattern) })
        #expect(info.map { $0.split(separator: " ", maxSplits: 2).last! } == [
            "INFO gear.Server: listening address=:: port=4730", "WARNING gear.Server: queue full",
        ])
        #expect(directory.lines(of: "debug.log") == info)
        #expect(directory.lines(of: "console.log").map { $0.split(separator: " ", maxSplits: 2).last! } == [
            "WARNING gear.Server: queue full", "ERROR geard.lifecycle: lost",
        ])
    }

    @Test func propagateZeroKeepsMessagesFromAncestorHandlers() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let configuration = try LogConfiguration(
            parsing: """
                [loggers]
                keys=root,quiet
                [handlers]
                keys=all,own
                [logger_root]
                level=NOTSET
                handlers=all
                [logger_quiet]
                handlers=own
                qualname=gear.quiet
                propagate=0
                [handler_all]
                class=FileHandler
                args=('\(directory.file("all.log"))',)
                [handler_own]
                class=FileHandler
                args=('\(directory.file("own.log"))', 'w')
                """
        )
        let outputs = try LogOutputs(configuration)
        Logger(label: "gear.quiet.child", factory: outputs.makeHandler).trace("mine")
        Logger(label: "gear", factory: outputs.makeHandler).trace("everyone's")
        #expect(directory.lines(of: "own.log") == ["mine"])
        #expect(directory.lines(of: "all.log") == ["everyone's"])
    }

    @Test func unopenableFileIsReportedAtStart() throws {
        let configuration = try LogConfiguration(
            parsing: "[loggers]\nkeys=root\n[handlers]\nkeys=f\n[logger_root]\nhandlers=f\n[handler_f]\nclass=FileHandler\nargs=('/nonexistent/dir/x.log',)"
        )
        #expect {
            try LogOutputs(configuration)
        } throws: { error in
            "\(error)" == "cannot open log file /nonexistent/dir/x.log: No such file or directory"
        }
    }
}
