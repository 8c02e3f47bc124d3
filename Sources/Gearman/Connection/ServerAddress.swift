/// Where a job server listens and how to connect to it.
///
/// ```swift
/// let local = ServerAddress(host: "127.0.0.1")                 // port 4730
/// let secure = ServerAddress(host: "gearman.internal", tls: TLSFiles(key: "c.key", certificate: "c.pem", ca: "ca.pem"))
/// let probed = ServerAddress(host: "10.0.0.5", keepalive: .init(idle: .seconds(60), interval: .seconds(10), count: 3))
/// ```
public struct ServerAddress: Sendable, Hashable, CustomStringConvertible {
    public static let defaultPort = 4730

    public var host: String
    public var port: Int
    /// TLS client credentials; `nil` connects in plain text.
    public var tls: TLSFiles?
    /// TCP keepalive probing; `nil` leaves the system default (off).
    public var keepalive: TCPKeepalive?

    public init(host: String, port: Int = ServerAddress.defaultPort, tls: TLSFiles? = nil, keepalive: TCPKeepalive? = nil) {
        self.host = host
        self.port = port
        self.tls = tls
        self.keepalive = keepalive
    }

    /// Parses `host`, `host:port` or `[v6]:port`.
    public init?(parsing text: String) {
        var host = Substring(text)
        var port = ServerAddress.defaultPort
        if let colon = text.lastIndex(of: ":"), text.firstIndex(of: ":") == colon || text.hasPrefix("[") {
            guard let parsed = Int(text[text.index(after: colon)...]) else { return nil }
            port = parsed
            host = text[..<colon]
        }
        host = host.hasPrefix("[") && host.hasSuffix("]") ? host.dropFirst().dropLast() : host
        guard !host.isEmpty, (1...65535).contains(port) else { return nil }
        self.init(host: String(host), port: port)
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

/// PEM files for a TLS connection, as in the seed's `addServer(ssl_key:ssl_cert:ssl_ca:)`.
public struct TLSFiles: Sendable, Hashable {
    /// The client's private key; `nil` when the server does not ask for a client certificate.
    public var key: String?
    /// The client's certificate chain.
    public var certificate: String?
    /// The CA that signed the server's certificate; `nil` trusts the system roots.
    public var ca: String?

    public init(key: String? = nil, certificate: String? = nil, ca: String? = nil) {
        self.key = key
        self.certificate = certificate
        self.ca = ca
    }
}

/// TCP keepalive settings: probe after `idle`, every `interval`, give up after `count` probes.
public struct TCPKeepalive: Sendable, Hashable {
    public var idle: Duration
    public var interval: Duration
    public var count: Int

    public init(idle: Duration = .seconds(7200), interval: Duration = .seconds(75), count: Int = 9) {
        self.idle = idle
        self.interval = interval
        self.count = count
    }
}
