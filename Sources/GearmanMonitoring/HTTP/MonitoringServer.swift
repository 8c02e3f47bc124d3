import GearmanServer
import NIOCore
import NIOHTTP1
import NIOPosix

/// The operator's HTTP listener (`geard --metrics-address`): `/metrics` for Prometheus, `/` for the live
/// dashboard, `/api/status` for the JSON the dashboard polls.
///
/// ```swift
/// let monitoring = try await MonitoringServer.bind(host: "127.0.0.1", port: 9100, server: server, prometheus: prometheus)
/// try await monitoring.run()   // until the task is cancelled
/// ```
public struct MonitoringServer: Sendable {
    private typealias Connection = NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>

    private let channel: NIOAsyncChannel<Connection, Never>
    private let routes: MonitoringRoutes

    /// The bound port (useful when binding port 0).
    public var port: Int { channel.channel.localAddress?.port ?? 0 }

    /// Binds the listening socket; `prometheus` `nil` answers `/metrics` with 404.
    public static func bind(
        host: String, port: Int, server: GearmanServer, prometheus: PrometheusExporter?,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws -> MonitoringServer {
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .bind(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    return try Connection(wrappingChannelSynchronously: channel)
                }
            }
        return MonitoringServer(channel: channel, routes: MonitoringRoutes(server: server, prometheus: prometheus))
    }

    private init(channel: NIOAsyncChannel<Connection, Never>, routes: MonitoringRoutes) {
        self.channel = channel
        self.routes = routes
    }

    /// Serves connections until the calling task is cancelled; then closes the listener.
    public func run() async throws {
        try await withThrowingDiscardingTaskGroup { group in
            try await channel.executeThenClose { connections in
                for try await connection in connections {
                    group.addTask { await serve(connection) }
                }
            }
        }
    }

    private func serve(_ connection: Connection) async {
        try? await connection.executeThenClose { requests, responses in
            var head: HTTPRequestHead?
            for try await part in requests {
                switch part {
                case .head(let requestHead): head = requestHead
                case .body: break
                case .end:
                    guard let request = head else { continue }
                    let response = await routes.respond(to: request)
                    var headers = HTTPHeaders([("Content-Type", response.contentType), ("Content-Length", String(response.body.count))])
                    headers.add(name: "Cache-Control", value: "no-store")
                    if !request.isKeepAlive { headers.add(name: "Connection", value: "close") }
                    try await responses.write(.head(HTTPResponseHead(version: request.version, status: response.status, headers: headers)))
                    if request.method != .HEAD {
                        try await responses.write(.body(.byteBuffer(ByteBuffer(bytes: response.body))))
                    }
                    try await responses.write(.end(nil))
                    if !request.isKeepAlive { return }
                    head = nil
                }
            }
        }
    }
}
