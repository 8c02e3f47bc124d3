import GearmanProtocol
import NIOCore
import Testing

@Suite struct ACLAdminCommandTests {
    private func parse(_ line: String) -> AdminCommand { AdminCommand(parsing: ByteBuffer(string: line)) }

    @Test func parsesTheSeedsACLCommands() {
        #expect(parse("acl list") == .acl(.list))
        #expect(parse("ACL LIST") == .acl(.list))
        #expect(parse("acl grant register worker .*") == .acl(.grant(.register, subject: "worker", pattern: ".*")))
        #expect(parse("acl grant invoke Client  a b\t") == .acl(.grant(.invoke, subject: "Client", pattern: "a b")))
        #expect(parse("acl grant grant manager") == .acl(.grant(.grant, subject: "manager", pattern: nil)))
        #expect(parse("acl revoke register worker") == .acl(.revoke(.register, subject: "worker")))
        #expect(parse("acl revoke all worker") == .acl(.revoke(.all, subject: "worker")))
        #expect(parse("acl self-revoke invoke") == .acl(.selfRevoke(.invoke)))
    }

    @Test func unknownVerbsAndMissingArguments() {
        #expect(parse("acl grant frob worker x") == .acl(.unknownVerb("frob")))
        #expect(parse("acl grant all worker x") == .acl(.unknownVerb("all")))
        #expect(parse("acl") == .invalidArguments(command: "acl"))
        #expect(parse("acl list extra") == .invalidArguments(command: "acl"))
        #expect(parse("acl grant register worker") == .invalidArguments(command: "acl"))
        #expect(parse("acl grant grant worker extra") == .invalidArguments(command: "acl"))
        #expect(parse("acl revoke register") == .invalidArguments(command: "acl"))
        #expect(parse("acl self-revoke") == .invalidArguments(command: "acl"))
        #expect(parse("acl frobnicate x") == .invalidArguments(command: "acl"))
    }

    @Test func blanksSeparateEvenBeforeACombiningMark() {
        #expect(parse("cancel job \u{0350}H:1") == .cancelJob(handle: "\u{0350}H:1"))
        #expect(parse("acl revoke \u{0350}x") == .acl(.unknownVerb("\u{0350}x")))
    }

    @Test func linesRoundTrip() {
        for command: ACLAdminCommand in [
            .list, .grant(.register, subject: "w", pattern: "a.*"), .grant(.grant, subject: "m", pattern: nil),
            .revoke(.all, subject: "w"), .selfRevoke(.grant), .unknownVerb("frob"),
        ] {
            #expect(parse(command.line) == .acl(command))
        }
    }
}
