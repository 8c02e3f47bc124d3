import Foundation
import GearmanMonitoring
import GearmanProtocol
import GearmanServer
import Testing

/// A server with Prometheus metrics and the monitoring listener, both on free loopback ports.
func withMonitoredServer<T>(_ body: (GearmanServer, _ gearmanPort: Int, _ httpPort: Int) async throws -> T) async throws -> T {
    let prometheus = PrometheusExporter()
    let server = GearmanServer(configuration: .init(host: "127.0.0.1", port: 0), metricsFactory: prometheus.factory)
    try await server.start()
    let monitoring = try await MonitoringServer.bind(host: "127.0.0.1", port: 0, server: server, prometheus: prometheus)
    let listening = Task { try await monitoring.run() }
    defer { listening.cancel() }
    do {
        let result = try await body(server, server.port!, monitoring.port)
        try await server.stop()
        return result
    } catch {
        try? await server.stop()
        throw error
    }
}

@Suite struct MonitoringTests {
    /// Two background jobs at different priorities and a third that a worker runs to completion; the
    /// worker keeps a fourth running.
    private func makeTraffic(port: Int) async throws -> TestPeer {
        let client = try await TestPeer(port: port)
        for (type, payload) in [(PacketType.submitJobHighBackground, "h"), (.submitJobLowBackground, "l"), (.submitJobBackground, "n1"), (.submitJobBackground, "n2")] {
            try await client.send(type, "resize", "", payload)
            #expect(try await client.receivePacket().type == .jobCreated)
        }
        let worker = try await TestPeer(port: port)
        try await worker.send(.setClientID, "resizer-1")
        try await worker.send(.canDo, "resize")
        try await worker.send(.canDo, "thumbnail")
        for _ in 0..<2 {
            try await worker.send(.grabJob)
            let assigned = try await worker.receivePacket()
            if assigned.string(2) == "h" { try await worker.send(.workComplete, assigned.string(0), "done") }
        }
        try await worker.send(.echoReq, "settled")
        #expect(try await worker.receivePacket().type == .echoRes)
        return worker
    }

    @Test func statusReportsFunctionsWorkersAndThroughput() async throws {
        try await withMonitoredServer { _, port, httpPort in
            let worker = try await makeTraffic(port: port)
            let response = try await HTTPGet(port: httpPort, path: "/api/status")
            #expect(response.status == 200)
            #expect(response.headers["content-type"] == "application/json")
            let status = try JSONDecoder().decode(ServerStatus.self, from: Data(response.body.utf8))
            let resize = try #require(status.functions.first { $0.name == "resize" })
            let queued: [Int] = [resize.queued.high, resize.queued.normal, resize.queued.low]
            #expect(queued == [0, 1, 1])
            #expect(resize.running == 1)
            #expect(resize.workers == 1)
            #expect(status.functions.map(\.name) == ["resize", "thumbnail"])
            #expect(status.workers.count == 1)
            #expect(status.workers.first?.clientID == "resizer-1")
            #expect(status.workers.first?.address == "127.0.0.1")
            #expect(status.workers.first?.functions == ["resize", "thumbnail"])
            #expect(status.workers.first?.runningJobs == 1)
            #expect(status.throughput.submitted.reduce(0, +) == 4)
            #expect(status.throughput.completed.reduce(0, +) == 1)
            #expect(status.throughput.submitted.count == 60)
            await worker.close()
        }
    }

    @Test func metricsEndpointServesPrometheusText() async throws {
        try await withMonitoredServer { _, port, httpPort in
            _ = try await makeTraffic(port: port)
            let response = try await HTTPGet(port: httpPort, path: "/metrics")
            #expect(response.status == 200)
            #expect(response.headers["content-type"]?.hasPrefix("text/plain; version=0.0.4") == true)
            let lines = Set(response.body.split(separator: "\n").map(String.init))
            for expected in [
                #"gearman_packet_total{type="SUBMIT_JOB_BG"} 2"#,
                #"gearman_packet_total{type="GRAB_JOB"} 2"#,
                #"gearman_packet_seconds_count{type="WORK_COMPLETE"} 1"#,
                #"gearman_queue_depth{function="resize",priority="normal"} 1.0"#,
                #"gearman_queue_depth{function="resize",priority="high"} 0.0"#,
                #"gearman_jobs_running{function="resize"} 1.0"#,
                #"gearman_job_run_time_seconds_count{function="resize"} 1"#,
                #"gearman_job_wait_time_seconds_count{function="resize"} 2"#,
                "gearman_connections_workers 1.0",
                "gearman_connections_clients 1.0",
            ] where !lines.contains(expected) {
                Issue.record("/metrics lacks \(expected)")
            }
        }
    }

    @Test func dashboardIsSelfContainedAndUnknownPathsAre404() async throws {
        try await withMonitoredServer { _, _, httpPort in
            let page = try await HTTPGet(port: httpPort, path: "/")
            #expect(page.status == 200)
            #expect(page.headers["content-type"] == "text/html; charset=utf-8")
            #expect(page.body.contains("api/status"))
            #expect(!page.body.contains("http://") && !page.body.contains("https://") && !page.body.contains("//cdn"))
            #expect(try await HTTPGet(port: httpPort, path: "/nope").status == 404)
        }
    }
}
