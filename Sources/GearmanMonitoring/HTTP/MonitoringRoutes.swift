import Foundation
import GearmanServer
import NIOHTTP1

/// What each path of the monitoring listener answers.
struct MonitoringRoutes: Sendable {
    struct Response {
        var status: HTTPResponseStatus
        var contentType: String
        var body: [UInt8]

        static func text(_ status: HTTPResponseStatus, _ text: String) -> Response {
            Response(status: status, contentType: "text/plain; charset=utf-8", body: Array(text.utf8))
        }
    }

    let server: GearmanServer
    let prometheus: PrometheusExporter?

    func respond(to request: HTTPRequestHead) async -> Response {
        guard request.method == .GET || request.method == .HEAD else { return .text(.methodNotAllowed, "only GET\n") }
        let path = request.uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? "/"
        switch path {
        case "/":
            return Response(status: .ok, contentType: "text/html; charset=utf-8", body: Array(DashboardPage.html.utf8))
        case "/api/status":
            do {
                let encoder = JSONEncoder()
                encoder.outputFormatting = .sortedKeys
                return Response(status: .ok, contentType: "application/json", body: Array(try encoder.encode(try await server.status())))
            } catch {
                return .text(.serviceUnavailable, "server is stopping\n")
            }
        case "/metrics":
            guard let prometheus else { return .text(.notFound, "metrics are not enabled\n") }
            await server.sampleMetrics()
            return Response(status: .ok, contentType: "text/plain; version=0.0.4; charset=utf-8", body: prometheus.render())
        default:
            return .text(.notFound, "not found\n")
        }
    }
}
