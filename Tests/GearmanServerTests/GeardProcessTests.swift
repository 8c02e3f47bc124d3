import Foundation
import GearmanProtocol
import Testing

/// The `geard` executable itself: ACL file errors at start, SIGHUP reloads. `swift build --build-tests` builds it
/// next to the test bundle.
@Suite struct GeardProcessTests {
    private func temporaryFile(_ contents: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("geard-\(UUID().uuidString)").path
        try contents.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func aclFileWithAnErrorStopsGeardAtStartWithItsLine() async throws {
        let acl = try temporaryFile("[worker]\nregister=.*\n[client]\ninvoke=(unclosed\n")
        defer { try? FileManager.default.removeItem(atPath: acl) }
        let outcome = try await ExternalProcess.run([geardPath, "-d", "-p", "0", "--listen-address", "127.0.0.1", "--acl", acl])
        #expect(outcome.status != 0)
        #expect(outcome.output.contains("line 4: invalid regular expression '(unclosed'"), "\(outcome.output)")
    }

    @Test func sighupReloadsTheACLAndKeepsTheOldOneOnError() async throws {
        let acl = try temporaryFile("[first]\ngrant=yes\n")
        let log = try temporaryFile("")
        defer { for path in [acl, log] { try? FileManager.default.removeItem(atPath: path) } }
        try await withGeard(["--acl", acl], log: log) { port, process in
            let admin = try await TestPeer(port: port)
            #expect(try await admin.adminResponse("acl list") == ["first\tregister=None\tinvoke=None\tgrant=True", "."])

            try "[second]\ninvoke=.*\n".write(toFile: acl, atomically: true, encoding: .utf8)
            kill(process.processIdentifier, SIGHUP)
            try await waitUntil { try await admin.adminResponse("acl list") == ["second\tregister=None\tinvoke=.*\tgrant=False", "."] }

            try "[third]\ngrant=perhaps\n".write(toFile: acl, atomically: true, encoding: .utf8)
            kill(process.processIdentifier, SIGHUP)
            try await waitUntil { (try? String(contentsOfFile: log, encoding: .utf8))?.contains("ACL reload failed") == true }
            #expect(try String(contentsOfFile: log, encoding: .utf8).contains("line 2: grant must be a boolean"))
            #expect(try await admin.adminResponse("acl list") == ["second\tregister=None\tinvoke=.*\tgrant=False", "."])
            #expect(process.isRunning)
        }
    }
}
