import NIOCore
import NIOPosix

/// A minimal HTTP/1.1 GET for tests: one request with `Connection: close`, the whole answer read until the
/// server closes.
struct HTTPGet {
    let status: Int
    let headers: [String: String]
    let body: String

    init(port: Int, path: String) async throws {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel) }
            }
        let response = try await channel.executeThenClose { inbound, outbound in
            try await outbound.write(ByteBuffer(string: "GET \(path) HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"))
            var response = ByteBuffer()
            for try await var part in inbound { response.writeBuffer(&part) }
            return String(buffer: response)
        }
        let (head, body) = response.firstRange(of: "\r\n\r\n").map { (response[..<$0.lowerBound], response[$0.upperBound...]) } ?? (response[...], "")
        let lines = head.split(separator: "\r\n")
        status = Int(lines.first?.split(separator: " ").dropFirst().first ?? "") ?? 0
        headers = Dictionary(
            lines.dropFirst().compactMap { line in
                line.firstIndex(of: ":").map { (line[..<$0].lowercased(), line[line.index(after: $0)...].trimmingCharacters(in: .whitespaces)) }
            },
            uniquingKeysWith: { $1 }
        )
        self.body = String(body)
    }
}
