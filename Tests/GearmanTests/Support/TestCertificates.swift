import Foundation
import Gearman

/// A throwaway CA with a server certificate for 127.0.0.1 and client certificates, made with the `openssl` CLI.
struct TestCertificates {
    let directory: URL

    /// Creates the CA and the server certificate (CN `localhost`, SAN `IP:127.0.0.1`) in a new temporary directory.
    init() async throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("gearman-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try await openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=gearman-test-ca",
                          "-keyout", path("ca.key"), "-out", path("ca.pem"))
        try await issue("server", commonName: "localhost", extensions: "subjectAltName=IP:127.0.0.1,DNS:localhost")
    }

    func path(_ file: String) -> String { directory.appendingPathComponent(file).path }

    /// The arguments that make python `gear`'s geard serve TLS with this CA.
    var serverArguments: [String] { ["--ssl-ca", path("ca.pem"), "--ssl-cert", path("server.pem"), "--ssl-key", path("server.key")] }

    /// Issues a client certificate whose subject is `commonName` and returns the files to connect with.
    func client(_ commonName: String) async throws -> TLSFiles {
        try await issue(commonName, commonName: commonName, extensions: "extendedKeyUsage=clientAuth")
        return TLSFiles(key: path("\(commonName).key"), certificate: path("\(commonName).pem"), ca: path("ca.pem"))
    }

    func remove() {
        try? FileManager.default.removeItem(at: directory)
    }

    private func issue(_ name: String, commonName: String, extensions: String) async throws {
        try await openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=\(commonName)",
                          "-keyout", path("\(name).key"), "-out", path("\(name).csr"))
        try extensions.write(toFile: path("\(name).ext"), atomically: true, encoding: .utf8)
        try await openssl("x509", "-req", "-days", "1", "-in", path("\(name).csr"), "-CA", path("ca.pem"), "-CAkey", path("ca.key"),
                          "-CAcreateserial", "-extfile", path("\(name).ext"), "-out", path("\(name).pem"))
    }

    private func openssl(_ arguments: String...) async throws {
        let output = try await ChildProcess.run(["openssl"] + arguments)
        guard output.status == 0 else { throw TimedOut(description: "openssl \(arguments[0]) failed: \(output.stderr)") }
    }
}
