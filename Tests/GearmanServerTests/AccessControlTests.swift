import GearmanProtocol
import GearmanServer
import NIOCore
import Testing

/// The ACL in force on a TLS server: subjects are the certificate Common Names of the fixtures.
@Suite struct AccessControlTests {
    private static let list = """
        [worker]
        register=reverse$

        [client]
        invoke=reverse

        [admin]
        grant=true
        """

    private func withACLServer(_ body: (GearmanServer, _ plainPort: Int, _ tlsPort: Int) async throws -> Void) async throws {
        try await withTLSServer(accessControl: try AccessControlList(parsing: Self.list), body)
    }

    private func expectDenied(_ peer: TestPeer, _ permission: String, _ function: String) async throws {
        let error = try await peer.receivePacket()
        #expect(error.type == .error)
        #expect(error.string(0) == "PERMISSION_DENIED")
        #expect(error.string(1).hasPrefix("\(permission) permission for '\(function)' denied"))
    }

    @Test func registeringAndInvokingFollowTheList() async throws {
        try await withACLServer { _, _, tlsPort in
            let worker = try await TestPeer(port: tlsPort, tls: TLSFixtures.client("worker"))
            try await worker.send(.canDo, "reverse-all")
            try await expectDenied(worker, "register", "reverse-all")
            try await worker.send(.canDoTimeout, "sort", "10")
            try await expectDenied(worker, "register", "sort")
            try await worker.send(.canDo, "reverse")
            try await worker.send(.submitJob, "reverse", "", "worker may not invoke")
            try await expectDenied(worker, "invoke", "reverse")

            let client = try await TestPeer(port: tlsPort, tls: TLSFixtures.client("client"))
            try await client.send(.submitJobBackground, "sort", "", "x")
            try await expectDenied(client, "invoke", "sort")
            try await client.send(.submitJob, "reverse", "", "abc")
            let handle = try await client.receivePacket().string(0)
            try await worker.send(.grabJob)
            #expect(try await worker.receivePacket() == Packet(.response, .jobAssign, [handle, "reverse", "abc"]))
            try await worker.send(.workComplete, handle, "cba")
            #expect(try await client.receivePacket() == Packet(.response, .workComplete, [handle, "cba"]))
        }
    }

    @Test func connectionsWithoutACertificateMayDoNothingTheListChecks() async throws {
        try await withACLServer { _, plainPort, _ in
            let plain = try await TestPeer(port: plainPort)
            try await plain.send(.submitJobHigh, "reverse", "", "x")
            try await expectDenied(plain, "invoke", "reverse")
            try await plain.send(.canDo, "reverse")
            try await expectDenied(plain, "register", "reverse")
            try await plain.send(.echoReq, "still connected")
            #expect(try await plain.receivePacket().type == .echoRes)
            #expect(try await plain.adminResponse("status") == ["."], "nothing was registered or queued")
        }
    }

    @Test func aclListAndGrantsByTheAdminProtocol() async throws {
        try await withACLServer { _, _, tlsPort in
            let client = try await TestPeer(port: tlsPort, tls: TLSFixtures.client("client"))
            #expect(
                try await client.adminResponse("acl list") == [
                    "admin\tregister=None\tinvoke=None\tgrant=True", "client\tregister=None\tinvoke=reverse\tgrant=False",
                    "worker\tregister=reverse$\tinvoke=None\tgrant=False", ".",
                ]
            )
            #expect(try await client.adminResponse("acl grant invoke client .*") == ["ERR PERMISSION_DENIED the+grant+permission+is+required"])
            #expect(try await client.adminResponse("acl revoke invoke worker").first?.hasPrefix("ERR PERMISSION_DENIED") == true)

            let admin = try await TestPeer(port: tlsPort, tls: TLSFixtures.client("admin"))
            #expect(try await admin.adminResponse("acl grant invoke client sort") == ["OK"])
            #expect(try await admin.adminResponse("acl grant register client (") .first?.hasPrefix("ERR UNABLE") == true)
            #expect(try await admin.adminResponse("acl grant frob client x").first?.hasPrefix("ERR UNKNOWN_ACL_VERB") == true)
            try await client.send(.submitJobBackground, "sort", "", "now allowed")
            #expect(try await client.receivePacket().type == .jobCreated)

            // Revoking one's own permission needs no grant; self-revoke needs no name.
            #expect(try await client.adminResponse("acl revoke invoke client") == ["OK"])
            try await client.send(.submitJobBackground, "sort", "", "denied again")
            try await expectDenied(client, "invoke", "sort")
            #expect(try await admin.adminResponse("acl self-revoke all") == ["OK"])
            #expect(try await admin.adminResponse("acl grant grant admin") == ["ERR PERMISSION_DENIED the+grant+permission+is+required"])
            #expect(try await admin.adminResponse("acl list") == ["worker\tregister=reverse$\tinvoke=None\tgrant=False", "."])
        }
    }

    @Test func stateChangingAdminCommandsNeedGrant() async throws {
        try await withACLServer { server, _, tlsPort in
            let client = try await TestPeer(port: tlsPort, tls: TLSFixtures.client("client"))
            try await client.send(.submitJobBackground, "reverse", "", "x")
            let handle = try await client.receivePacket().string(0)
            let worker = try await TestPeer(port: tlsPort, tls: TLSFixtures.client("worker"))
            for command in ["shutdown", "shutdown graceful", "maxqueue reverse 1", "drop function reverse", "create function f", "cancel job \(handle)"] {
                #expect(try await worker.adminResponse(command).first?.hasPrefix("ERR PERMISSION_DENIED") == true, "\(command)")
            }
            #expect(try await worker.adminResponse("status") == ["reverse\t1\t0\t0", "."])
            // Invoke on the job's function allows cancelling it, as in the seed.
            #expect(try await client.adminResponse("cancel job \(handle)") == ["OK"])
            let admin = try await TestPeer(port: tlsPort, tls: TLSFixtures.client("admin"))
            #expect(try await admin.adminResponse("maxqueue reverse 1") == ["OK"])
            #expect(try await admin.adminResponse("drop function reverse") == ["OK"])
            #expect(try await admin.adminResponse("shutdown") == ["OK"])
            #expect(await server.shutdownRequested() == false)
        }
    }

    @Test func aclCommandsWithoutAListInForce() async throws {
        try await withServer { _, port in
            let admin = try await TestPeer(port: port)
            #expect(try await admin.adminResponse("acl list").first?.hasPrefix("ERR ACL_DISABLED") == true)
            #expect(try await admin.adminResponse("shutdown graceful") == ["OK"], "no list, no restriction")
        }
    }

    @Test func replacingTheListTakesEffectForOpenConnections() async throws {
        try await withACLServer { server, _, tlsPort in
            let client = try await TestPeer(port: tlsPort, tls: TLSFixtures.client("client"))
            try await client.send(.submitJobBackground, "sort", "", "x")
            try await expectDenied(client, "invoke", "sort")
            await server.replaceAccessControl(try AccessControlList(parsing: "[client]\ninvoke=sort\n"))
            try await client.send(.submitJobBackground, "sort", "", "x")
            #expect(try await client.receivePacket().type == .jobCreated)
            #expect(await server.accessControl()?.sortedEntries.map(\.subject) == ["client"])
        }
    }

    @Test func pythonGearUnderTheACL() async throws {
        try await withTLSServer(accessControl: try AccessControlList(parsing: "[worker]\nregister=.*\ninvoke=reverse\n")) { _, _, tlsPort in
            let files = ["worker-key.pem", "worker.pem", "ca.pem"].map(TLSFixtures.path)
            let allowed = try await ExternalProcess.python("gear_roundtrip.py", ["\(tlsPort)", "reverse"] + files)
            #expect(allowed.status == 0, "\(allowed.output)")
            let refused = try await ExternalProcess.python("gear_roundtrip.py", ["\(tlsPort)", "forbidden"] + files)
            #expect(refused.status == 3, "\(refused.output)")
        }
    }
}
