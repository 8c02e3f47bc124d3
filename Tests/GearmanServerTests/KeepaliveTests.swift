import GearmanProtocol
import GearmanServer
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `--keepalive`: the options are read back from the socket the server accepted. Server and test share the
/// process, so the accepted socket is the descriptor whose local port is the server's and that has a peer.
@Suite struct KeepaliveTests {
    private struct SocketOptions: Equatable {
        var keepalive: Int32
        var idle: Int32
        var interval: Int32
        var count: Int32
    }

    private func option(_ descriptor: Int32, _ level: Int32, _ name: Int32) -> Int32 {
        var value: Int32 = -1
        var length = socklen_t(MemoryLayout<Int32>.size)
        return getsockopt(descriptor, level, name, &value, &length) == 0 ? value : -1
    }

    private func port(_ descriptor: Int32, peer: Bool) -> Int? {
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let result = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                peer ? getpeername(descriptor, $0, &length) : getsockname(descriptor, $0, &length)
            }
        }
        guard result == 0, address.sin_family == sa_family_t(AF_INET) else { return nil }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// The options of the server's accepted sockets on `serverPort`.
    private func acceptedSocketOptions(serverPort: Int) -> [SocketOptions] {
        (0..<4096).filter { port($0, peer: false) == serverPort && port($0, peer: true) != nil }.map { descriptor in
            SocketOptions(
                keepalive: option(descriptor, SOL_SOCKET, SO_KEEPALIVE),
                idle: option(descriptor, Int32(IPPROTO_TCP), TCP_KEEPIDLE),
                interval: option(descriptor, Int32(IPPROTO_TCP), TCP_KEEPINTVL),
                count: option(descriptor, Int32(IPPROTO_TCP), TCP_KEEPCNT)
            )
        }
    }

    private func connectedOptions(_ configuration: ServerConfiguration) async throws -> [SocketOptions] {
        try await withServer(configuration) { _, port in
            let peer = try await TestPeer(port: port)
            try await peer.send(.echoReq, "accepted")
            _ = try await peer.receivePacket()
            let options = acceptedSocketOptions(serverPort: port)
            await peer.close()
            return options
        }
    }

    @Test func keepaliveOptionsAreSetOnAcceptedSockets() async throws {
        var configuration = ServerConfiguration(host: "127.0.0.1", port: 0)
        configuration.keepalive = .init(idle: 120, interval: 15, count: 4)
        #expect(try await connectedOptions(configuration) == [SocketOptions(keepalive: 1, idle: 120, interval: 15, count: 4)])
    }

    @Test func keepaliveIsOffByDefault() async throws {
        let options = try await connectedOptions(ServerConfiguration(host: "127.0.0.1", port: 0))
        #expect(options.map(\.keepalive) == [0])
    }
}
