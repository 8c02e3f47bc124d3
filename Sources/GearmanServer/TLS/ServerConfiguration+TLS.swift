import NIOSSL

extension ServerConfiguration {
    /// Where and how the server speaks TLS.
    ///
    /// ```swift
    /// var configuration = ServerConfiguration(port: 4730)
    /// configuration.tls = .init(port: 4731, certificateChain: "server.pem", privateKey: "server-key.pem", clientCA: "ca.pem")
    /// // plain on 4730, TLS on 4731; clients on 4731 must present a certificate signed by ca.pem
    /// ```
    public struct TLS: Sendable, Hashable {
        /// A separate TLS port beside the plain ``ServerConfiguration/port``; `nil` makes the main port TLS only.
        public var port: Int?
        /// PEM file with the server certificate, followed by any intermediates.
        public var certificateChainPath: String
        /// PEM file with the server's private key.
        public var privateKeyPath: String
        /// PEM file with the CA certificates client certificates must chain to. When set, every client must
        /// present a valid certificate, and its subject Common Name is what the access control list checks.
        public var clientCAPath: String?

        public init(port: Int? = nil, certificateChain: String, privateKey: String, clientCA: String? = nil) {
            self.port = port
            self.certificateChainPath = certificateChain
            self.privateKeyPath = privateKey
            self.clientCAPath = clientCA
        }

        /// Loads the files; throws if any is missing or malformed.
        func makeContext() throws -> NIOSSLContext {
            let chain = try NIOSSLCertificate.fromPEMFile(certificateChainPath).map(NIOSSLCertificateSource.certificate)
            let key = NIOSSLPrivateKeySource.privateKey(try NIOSSLPrivateKey(file: privateKeyPath, format: .pem))
            let configuration: TLSConfiguration
            if let clientCAPath {
                let roots = try NIOSSLCertificate.fromPEMFile(clientCAPath)
                configuration = .makeServerConfigurationWithMTLS(certificateChain: chain, privateKey: key, trustRoots: .certificates(roots))
            } else {
                configuration = .makeServerConfiguration(certificateChain: chain, privateKey: key)
            }
            return try NIOSSLContext(configuration: configuration)
        }
    }
}
