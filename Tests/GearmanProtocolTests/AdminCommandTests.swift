import GearmanProtocol
import NIOCore
import Testing

@Suite struct AdminCommandTests {
    private func parse(_ line: String) -> AdminCommand { AdminCommand(parsing: ByteBuffer(string: line)) }

    @Test func parsesEveryCommand() {
        #expect(parse("status") == .status)
        #expect(parse("STATUS") == .status)
        #expect(parse("prioritystatus") == .priorityStatus)
        #expect(parse("workers") == .workers)
        #expect(parse("version") == .version)
        #expect(parse("getpid") == .getpid)
        #expect(parse("verbose") == .verbose)
        #expect(parse("shutdown") == .shutdown(graceful: false))
        #expect(parse("shutdown graceful") == .shutdown(graceful: true))
        #expect(parse("show jobs") == .showJobs)
        #expect(parse("show unique jobs") == .showUniqueJobs)
        #expect(parse("cancel job H:host:1") == .cancelJob(handle: "H:host:1"))
        #expect(parse("create function f") == .createFunction("f"))
        #expect(parse("drop function f") == .dropFunction("f"))
        #expect(parse("maxqueue f") == .maxQueue(function: "f", limits: nil))
        #expect(parse("maxqueue f 10") == .maxQueue(function: "f", limits: [10]))
        #expect(parse("maxqueue f 1 2 3") == .maxQueue(function: "f", limits: [1, 2, 3]))
    }

    @Test func reportsUnknownAndInvalid() {
        #expect(parse("frobnicate now") == .unknown("frobnicate"))
        #expect(parse("") == .unknown(""))
        #expect(parse("maxqueue") == .invalidArguments(command: "maxqueue"))
        #expect(parse("shutdown now please") == .invalidArguments(command: "shutdown"))
        #expect(parse("show") == .invalidArguments(command: "show"))
    }

    @Test func nonUTF8BytesDoNotCrash() {
        #expect(AdminCommand(parsing: ByteBuffer(bytes: [0xFF, 0xFE, 0x20, 0x80])) == .unknown("\u{FFFD}\u{FFFD}"))
    }

    @Test func linesRoundTrip() {
        let commands: [AdminCommand] = [
            .status, .priorityStatus, .workers, .version, .getpid, .verbose, .shutdown(graceful: true), .showJobs,
            .showUniqueJobs, .cancelJob(handle: "H:x:1"), .createFunction("f"), .dropFunction("f"),
            .maxQueue(function: "f", limits: [5]), .result(handle: "H:x:1"),
        ]
        for command in commands { #expect(parse(command.line) == command) }
    }
}
