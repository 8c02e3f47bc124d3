import Foundation
@testable import Gearman
import NIOCore
import Testing

/// TLS connections and the ACL admin commands, against python `gear`'s geard (the seed's server, which has both).
@Suite(.serialized, .timeLimit(.minutes(1)))
struct TLSTests {
    @Test func clientAndWorkerRunAJobOverTLS() async throws {
        let certificates = try await TestCertificates()
        defer { certificates.remove() }
        let server = try await TestServer.pythonGeard(certificates.serverArguments)
        var address = server.address
        address.tls = try await certificates.client("swift-client")

        let client = GearmanClient(servers: [address])
        let worker = GearmanWorker(servers: [address])
        worker.register("reverse") { job in String(try job.payload(as: String.self).reversed()) }
        let running = Task { await worker.run() }
        try await client.waitForServer(timeout: .seconds(10))
        let job = try await client.submit("reverse", payload: "secret", timeout: .seconds(10))
        #expect(try await job.result(as: String.self) == "terces")
        worker.stop()
        await running.value
        await client.shutdown()
    }

    @Test func untrustedServerCertificateIsRefused() async throws {
        let certificates = try await TestCertificates()
        let stranger = try await TestCertificates()
        defer { certificates.remove(); stranger.remove() }
        let server = try await TestServer.pythonGeard(certificates.serverArguments)
        var address = server.address
        address.tls = try await stranger.client("swift-client")
        let client = GearmanClient(servers: [address])
        await #expect(throws: GearmanError.timeout) { try await client.waitForServer(timeout: .milliseconds(500)) }
        await client.shutdown()
    }

    @Test func aclCommands() async throws {
        let certificates = try await TestCertificates()
        defer { certificates.remove() }
        let acl = certificates.path("acl.conf")
        try "[admin]\ngrant=True\n\n[reader]\ninvoke=reports-.*\n".write(toFile: acl, atomically: true, encoding: .utf8)
        let server = try await TestServer.pythonGeard(certificates.serverArguments + ["--acl", acl])
        var admin = server.address, reader = server.address
        admin.tls = try await certificates.client("admin")
        reader.tls = try await certificates.client("reader")

        try await GearmanAdmin.withConnection(to: reader) { session in
            let entries = try await session.aclList()
            #expect(entries == [ACLEntry(subject: "admin", grant: true), ACLEntry(subject: "reader", invoke: "reports-.*")])
            await #expect(throws: GearmanError.serverError(code: "PERMISSION_DENIED", message: "")) {
                try await session.aclGrant(.register(".*"), to: "reader")
            }
            await #expect(throws: GearmanError.self) { try await session.aclGrant(.invoke("two words"), to: "reader") }
        }
        // gear 0.16 compares the verb (bytes) with str literals, so every verb is unknown to it once permitted.
        try await GearmanAdmin.withConnection(to: admin) { session in
            await #expect(throws: GearmanError.serverError(code: "UNKNOWN_ACL_VERB", message: "")) {
                try await session.aclGrant(.invoke(".*"), to: "reader")
            }
            await #expect(throws: GearmanError.serverError(code: "UNKNOWN_ACL_VERB", message: "")) {
                try await session.aclRevoke(.all, from: "reader")
            }
            await #expect(throws: GearmanError.serverError(code: "UNKNOWN_ACL_VERB", message: "")) {
                try await session.aclSelfRevoke(.grant)
            }
        }
    }

    @Test func parsesACLLines() {
        #expect(ACLEntry(line: "client\tregister=None\tinvoke=.*\tgrant=True") == ACLEntry(subject: "client", invoke: ".*", grant: true))
        #expect(ACLEntry(line: "worker      register=.*     invoke=None     grant=False") == ACLEntry(subject: "worker", register: ".*"))
        #expect(ACLEntry(line: "broken line") == nil)
    }
}
