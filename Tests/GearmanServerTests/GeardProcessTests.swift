import Foundation
import GearmanProtocol
import NIOCore
import NIOPosix
import Testing

/// The `geard` executable itself: ACL file errors at start, SIGHUP reloads. `swift build --build-tests` builds it
/// next to the test bundle.
@Suite struct GeardProcessTests {
    private static let geard = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("geard").path

    private func temporaryFile(_ contents: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("geard-\(UUID().uuidString)").path
        try contents.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func aclFileWithAnErrorStopsGeardAtStartWithItsLine() async throws {
        let acl = try temporaryFile("[worker]\nregister=.*\n[client]\ninvoke=(unclosed\n")
        defer { try? FileManager.default.removeItem(atPath: acl) }
        let outcome = try await ExternalProcess.run([Self.geard, "-d", "-p", "0", "--listen-address", "127.0.0.1", "--acl", acl])
        #expect(outcome.status != 0)
        #expect(outcome.output.contains("line 4: invalid regular expression '(unclosed'"), "\(outcome.output)")
    }

    @Test func sighupReloadsTheACLAndKeepsTheOldOneOnError() async throws {
        let acl = try temporaryFile("[first]\ngrant=yes\n")
        let log = try temporaryFile("")
        defer { for path in [acl, log] { try? FileManager.default.removeItem(atPath: path) } }
        let port = try await freePort()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.geard)
        process.arguments = ["-d", "-p", "\(port)", "--listen-address", "127.0.0.1", "--acl", acl]
        process.standardError = FileHandle(forWritingAtPath: log)
        try process.run()
        defer {
            process.terminate()
            process.waitUntilExit()
        }
        var admin: TestPeer?
        try await waitUntil {
            admin = try? await TestPeer(port: port)
            return admin != nil
        }
        let listing = { try await admin!.adminResponse("acl list") }
        #expect(try await listing() == ["first\tregister=None\tinvoke=None\tgrant=True", "."])

        try "[second]\ninvoke=.*\n".write(toFile: acl, atomically: true, encoding: .utf8)
        kill(process.processIdentifier, SIGHUP)
        try await waitUntil { try await listing() == ["second\tregister=None\tinvoke=.*\tgrant=False", "."] }

        try "[third]\ngrant=perhaps\n".write(toFile: acl, atomically: true, encoding: .utf8)
        kill(process.processIdentifier, SIGHUP)
        try await waitUntil { (try? String(contentsOfFile: log, encoding: .utf8))?.contains("ACL reload failed") == true }
        #expect(try String(contentsOfFile: log, encoding: .utf8).contains("line 2: grant must be a boolean"))
        #expect(try await listing() == ["second\tregister=None\tinvoke=.*\tgrant=False", "."])
        #expect(process.isRunning)
    }

    /// A port nothing listens on right now (bound and released).
    private func freePort() async throws -> Int {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
        let port = channel.localAddress!.port!
        try await channel.close()
        return port
    }
}
