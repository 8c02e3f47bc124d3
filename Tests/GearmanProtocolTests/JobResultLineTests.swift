import GearmanProtocol
import NIOCore
import Testing

@Suite struct JobResultLineTests {
    @Test func theCommandParsesAndPrints() {
        #expect(AdminCommand(parsing: ByteBuffer(string: "RESULT H:host:7")) == .result(handle: "H:host:7"))
        #expect(AdminCommand(parsing: ByteBuffer(string: "result")) == .invalidArguments(command: "result"))
        #expect(AdminCommand(parsing: ByteBuffer(string: "result a b")) == .invalidArguments(command: "result"))
    }

    @Test func binaryDataAndEmptyFieldsSurviveTheLine() {
        let finished = JobResultLine(
            status: .complete, finishedAt: 1_712_345_678_009, function: ByteBuffer(string: "reverse"), unique: ByteBuffer(),
            data: ByteBuffer(bytes: [0, 10, 13, 255])
        )
        #expect(finished.line == "OK COMPLETE 1712345678.009 cmV2ZXJzZQ== - AAoN/w==")
        #expect(JobResultLine(line: finished.line) == finished)
        let running = JobResultLine(status: .running, finishedAt: nil, function: ByteBuffer(string: "f"), unique: ByteBuffer(string: "u"))
        #expect(running.line == "OK RUNNING - Zg== dQ== -")
        #expect(JobResultLine(line: running.line) == running)
    }

    @Test(arguments: ["OK", "OK version", "OK DONE - - - -", "OK FAIL 1.5 - - -", "OK FAIL - !! - -", "ERR UNKNOWN_JOB x", "OK FAIL - - - - -"])
    func otherLinesAreNotAnswers(_ line: String) {
        #expect(JobResultLine(line: line) == nil)
    }
}
