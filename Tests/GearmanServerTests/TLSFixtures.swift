import Foundation
import GearmanServer
import NIOCore
import NIOSSL

/// The committed test certificates (`scripts/make-test-certificates.sh`): a CA, a server certificate for
/// localhost, client certificates with the Common Names `worker`, `client` and `admin`, and `rogue` (CN `worker`)
/// signed by a CA the server does not trust.
enum TLSFixtures {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/tls")

    static func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// The server side: TLS on an extra port beside the plain one, client certificates required.
    static func serverTLS(requireClientCertificates: Bool = true) -> ServerConfiguration.TLS {
        .init(
            port: 0, certificateChain: path("server.pem"), privateKey: path("server-key.pem"),
            clientCA: requireClientCertificates ? path("ca.pem") : nil
        )
    }

    /// A client context trusting the test CA and presenting the certificate of `subject`, if given.
    static func client(_ subject: String?) throws -> NIOSSLContext {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.trustRoots = .file(path("ca.pem"))
        if let subject {
            configuration.certificateChain = try NIOSSLCertificate.fromPEMFile(path("\(subject).pem")).map { .certificate($0) }
            configuration.privateKey = .privateKey(try NIOSSLPrivateKey(file: path("\(subject)-key.pem"), format: .pem))
        }
        return try NIOSSLContext(configuration: configuration)
    }
}

/// Runs `body` against a server with plain and TLS listeners; `body` gets the server, plain and TLS ports.
func withTLSServer<T>(
    accessControl: AccessControlList? = nil,
    requireClientCertificates: Bool = true,
    keepResults: TimeAmount? = nil,
    _ body: (GearmanServer, _ plainPort: Int, _ tlsPort: Int) async throws -> T
) async throws -> T {
    var configuration = ServerConfiguration(host: "127.0.0.1", port: 0)
    configuration.tls = TLSFixtures.serverTLS(requireClientCertificates: requireClientCertificates)
    configuration.accessControl = accessControl
    configuration.keepResults = keepResults
    return try await withServer(configuration) { server, port in try await body(server, port, server.tlsPort!) }
}
