import GearmanServer
import Testing

/// The ACL as a pure value: the seed's file format, deny by default, grant and revoke.
@Suite struct AccessControlListTests {
    private let seedExample = """
        # The seed's example, plus the other spellings RawConfigParser accepts.
        [my_worker]
        register=.*

        [my_client]
        invoke = build-

        ; a manager
        [my_node_manager]
        GRANT: True
        """

    @Test func parsesTheSeedsFormat() throws {
        let list = try AccessControlList(parsing: seedExample)
        #expect(list.sortedEntries.map(\.subject) == ["my_client", "my_node_manager", "my_worker"])
        #expect(list.canRegister("my_worker", "anything"))
        #expect(!list.canInvoke("my_worker", "anything"))
        #expect(list.canInvoke("my_client", "build-linux"))
        #expect(!list.canInvoke("my_client", "test-linux"))
        #expect(!list.canRegister("my_client", "build-linux"))
        #expect(list.canGrant("my_node_manager"))
        #expect(!list.canGrant("my_worker"))
    }

    @Test func deniesByDefault() throws {
        let list = try AccessControlList(parsing: seedExample)
        #expect(!list.canRegister("stranger", "f"))
        #expect(!list.canInvoke(nil, "build-linux"))
        #expect(!list.canGrant(nil))
        #expect(!AccessControlList().canInvoke("anyone", "f"))
    }

    @Test func patternsMatchFromTheStartOfTheName() throws {
        let pattern = try FunctionPattern("build")
        #expect(pattern.matches("build"))
        #expect(pattern.matches("buildx"))
        #expect(!pattern.matches("rebuild"))
        #expect(!(try FunctionPattern("build$")).matches("buildx"))
        #expect(try FunctionPattern("a|b").matches("b"))
    }

    @Test func grantAndRevoke() throws {
        var list = AccessControlList()
        try list.grant(.register, to: "worker", pattern: "reverse")
        try list.grant(.grant, to: "worker")
        #expect(list.canRegister("worker", "reverse") && list.canGrant("worker"))
        try list.grant(.register, to: "worker", pattern: "other")
        #expect(!list.canRegister("worker", "reverse"))
        list.revoke(.grant, from: "worker")
        #expect(!list.canGrant("worker") && list.entry(for: "worker") != nil)
        list.revoke(.register, from: "worker")
        #expect(list.entry(for: "worker") == nil, "an entry left with no permission is removed")
        try list.grant(.invoke, to: "client", pattern: ".*")
        list.revoke(nil, from: "client")
        #expect(list.sortedEntries.isEmpty)
        list.revoke(.invoke, from: "nobody")
        #expect(throws: FunctionPattern.Invalid.self) { try list.grant(.invoke, to: "client", pattern: "(") }
        #expect(throws: FunctionPattern.Invalid.self) { try list.grant(.invoke, to: "client") }
    }

    @Test func emptySectionsAndValues() throws {
        let list = try AccessControlList(parsing: "[idle]\n[half]\nregister=\ninvoke=x\n")
        #expect(list.entry(for: "idle")?.isEmpty == true)
        #expect(list.entry(for: "half")?.register == nil)
        #expect(list.canInvoke("half", "x"))
    }

    @Test(arguments: [
        ("register=.*\n", 1, "key outside a [subject] section"),
        ("[w]\nregister=(\n", 2, "invalid regular expression '('"),
        ("[w]\n\ngrant=maybe\n", 3, "grant must be a boolean"),
        ("[w]\ninvoke=a\n[w]\n", 3, "appears twice"),
        ("[w]\ninvoke=a\nINVOKE=b\n", 3, "invoke given twice"),
        ("[w]\ninvok=a\n", 2, "unknown key invok"),
        ("[w\n", 1, "malformed section header"),
        ("[w]\njust words\n", 2, "expected key=value"),
        ("[DEFAULT]\n", 1, "DEFAULT"),
    ])
    func rejectsMistakesWithTheirLine(text: String, line: Int, message: String) {
        #expect {
            try AccessControlList(parsing: text)
        } throws: { error in
            guard let error = error as? AccessControlList.ParseError else { return false }
            return error.line == line && error.message.contains(message)
        }
    }
}
