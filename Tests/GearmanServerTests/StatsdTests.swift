import GearmanMonitoring
import GearmanProtocol
import GearmanServer
import Testing

@testable import GearmanMonitoring

@Suite struct StatsdTests {
    @Test func environmentFollowsGear() throws {
        #expect(try StatsdClient.Configuration(environment: [:]) == nil)
        let configuration = try #require(try StatsdClient.Configuration(environment: ["STATSD_HOST": "stats.example", "STATSD_PREFIX": "gear"]))
        #expect(configuration.host == "stats.example")
        #expect(configuration.port == 8125)
        #expect(configuration.prefix == "gear")
        #expect(throws: StatsdClient.InvalidPort.self) { try StatsdClient.Configuration(environment: ["STATSD_HOST": "h", "STATSD_PORT": "x"]) }
    }

    @Test func linesAreAggregatedSampledAndPacked() {
        var sampler = StatsdSampler(capacity: 2)
        for value in [1.0, 2, 3, 4] { sampler.add(value) }
        let (values, rate) = sampler.take()
        #expect(values.count == 2)
        #expect(rate == 0.5)
        #expect(sampler.take().rate == 1)
        #expect(StatsdSampler.format(12) == "12")
        #expect(StatsdSampler.format(0.0125) == "0.0125")
        #expect(StatsdClient.datagrams(["aaaa", "bbbb", "cc", "dddddddddd"], maximumSize: 9) == ["aaaa\nbbbb", "cc", "dddddddddd"])
    }

    @Test func serverSendsPacketCountsTimingsAndGauges() async throws {
        let listener = try await UDPListener()
        let statsd = try await StatsdClient.connect(
            .init(host: "127.0.0.1", port: listener.port, prefix: "gear", flushInterval: .milliseconds(20))
        )
        let server = GearmanServer(configuration: .init(host: "127.0.0.1", port: 0), metricsFactory: statsd)
        try await server.start()
        let client = try await TestPeer(port: server.port!)
        try await client.send(.submitJob, "reverse.v2", "", "abc")
        let handle = try await client.receivePacket().string(0)
        let worker = try await TestPeer(port: server.port!)
        try await worker.send(.canDo, "reverse.v2")
        try await worker.send(.echoReq, "registered")
        _ = try await worker.receivePacket()
        await server.sampleMetrics()
        try await listener.waitFor([
            { $0 == "gear.packet.SUBMIT_JOB:1|c" },
            { $0.hasPrefix("gear.packet.SUBMIT_JOB:") && $0.hasSuffix("|ms") },
            { $0 == "gear.queue.depth.reverse_v2.normal:1|g" },
            { $0 == "gear.connections.clients:1|g" },
            { $0 == "gear.connections.workers:1|g" },
        ])
        try await worker.send(.grabJob)
        _ = try await worker.receivePacket()
        try await worker.send(.workComplete, handle, "cba")
        _ = try await client.receivePacket()
        await server.sampleMetrics()
        try await listener.waitFor([
            { $0 == "gear.packet.GRAB_JOB:1|c" },
            { $0.hasPrefix("gear.job.wait_time.reverse_v2:") && $0.hasSuffix("|ms") },
            { $0.hasPrefix("gear.job.run_time.reverse_v2:") && $0.hasSuffix("|ms") },
            { $0 == "gear.queue.depth.reverse_v2.normal:0|g" },
            { $0 == "gear.jobs.running.reverse_v2:0|g" },
        ])
        try await server.stop()
        await statsd.shutdown()
        await listener.close()
    }
}
