import Foundation
import GearmanProtocol
import ProcessSupport
import Testing

/// The dashboard rendered by a real browser: headless Chromium (Debian `chromium`, installed by
/// `scripts/install-peers.sh`) loads the page, lets it poll `/api/status`, and the test reads the numbers
/// from the rendered DOM. A screenshot goes to `.build/dashboard.png`.
@Suite struct DashboardBrowserTests {
    static let chromium = "/usr/bin/chromium"
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Runs headless Chromium with `arguments` after the common ones; returns standard output. Headless Chromium
    /// now and then never exits after rendering (seen once in CI, with `--screenshot`): a run that takes longer
    /// than `deadline` is killed and retried, up to `attempts` runs.
    private func runChromium(_ arguments: [String], attempts: Int = 3, deadline: Duration = .seconds(60)) async throws -> String {
        for attempt in 1...attempts {
            if let output = try await runChromiumOnce(arguments, deadline: deadline) { return output }
            Issue.record("headless Chromium did not exit within \(deadline) (attempt \(attempt)): killed", severity: .warning)
        }
        throw ChromiumHung()
    }

    struct ChromiumHung: Error {}

    /// Kills `pid` and its descendants: Chromium's helper processes hold its standard output open.
    private static func killTree(_ pid: pid_t) {
        let children = (try? String(contentsOfFile: "/proc/\(pid)/task/\(pid)/children", encoding: .utf8)) ?? ""
        kill(pid, SIGKILL)
        for child in children.split(separator: " ").compactMap({ pid_t($0) }) { killTree(child) }
    }

    /// One Chromium run: its standard output, or `nil` when it had to be killed at `deadline`.
    private func runChromiumOnce(_ arguments: [String], deadline: Duration) async throws -> String? {
        let profile = FileManager.default.temporaryDirectory.appendingPathComponent("gearman-chromium-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: profile) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.chromium)
        process.arguments = [
            "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--user-data-dir=\(profile.path)",
            "--virtual-time-budget=4000", "--window-size=1280,900",
        ] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        let exit = try ProcessExit(running: process)
        let pid = process.processIdentifier
        let watchdog = Task {
            try await Task.sleep(for: deadline)
            Self.killTree(pid)
        }
        // Read while it runs, so a large DOM cannot fill the pipe and stall the browser.
        let dom = try output.fileHandleForReading.readToEnd() ?? Data()
        let termination = await exit.wait()
        watchdog.cancel()
        if termination.bySignal, termination.status == SIGKILL { return nil }
        #expect(termination.status == 0)
        return String(decoding: dom, as: UTF8.self)
    }

    /// The text of each `data-field` cell in the table row `<tr data-function="name">`.
    private func row(of function: String, in dom: String) -> [String: String] {
        guard let start = dom.range(of: "<tr data-function=\"\(function)\">"),
            let end = dom.range(of: "</tr>", range: start.upperBound..<dom.endIndex)
        else { return [:] }
        let cells = dom[start.upperBound..<end.lowerBound].matches(of: #/data-field="([a-z]+)"[^>]*>([^<]*)</#)
        return Dictionary(cells.map { (String($0.output.1), String($0.output.2)) }, uniquingKeysWith: { $1 })
    }

    private func text(of id: String, in dom: String) -> String? {
        dom.firstMatch(of: try! Regex("id=\"\(id)\"[^>]*>([^<]*)<"))?.output[1].substring.map(String.init)
    }

    @Test(.timeLimit(.minutes(5))) func renderedPageShowsLiveNumbers() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.chromium), "needs Debian chromium: run scripts/install-peers.sh")
        try await withMonitoredServer { _, port, httpPort in
            let client = try await TestPeer(port: port)
            for (type, payload) in [(PacketType.submitJobHighBackground, "1"), (.submitJobHighBackground, "2"), (.submitJobLowBackground, "3"), (.submitJobBackground, "4")] {
                try await client.send(type, "thumbnail", "", payload)
                #expect(try await client.receivePacket().type == .jobCreated)
            }
            let worker = try await TestPeer(port: port)
            try await worker.send(.setClientID, "thumbnailer-7")
            try await worker.send(.canDo, "thumbnail")
            try await worker.send(.grabJob)
            let assigned = try await worker.receivePacket()
            try await worker.send(.workComplete, assigned.string(0), "done")
            try await worker.send(.grabJob)
            #expect(try await worker.receivePacket().type == .jobAssign)

            let url = "http://127.0.0.1:\(httpPort)/"
            let dom = try await runChromium(["--dump-dom", url])
            #expect(dom.contains("data-polls=\"") && !dom.contains("data-polls=\"0\""), "the page never rendered a poll")
            let thumbnail = row(of: "thumbnail", in: dom)
            #expect(thumbnail["high"] == "0")
            #expect(thumbnail["normal"] == "1")
            #expect(thumbnail["low"] == "1")
            #expect(thumbnail["queued"] == "2")
            #expect(thumbnail["running"] == "1")
            #expect(thumbnail["workers"] == "1")
            #expect(text(of: "total-workers", in: dom) == "1")
            #expect(text(of: "completed-minute", in: dom) == "1")
            #expect(dom.contains(">thumbnailer-7<"))

            let screenshot = Self.packageRoot.appendingPathComponent(".build/dashboard.png")
            try? FileManager.default.removeItem(at: screenshot)
            _ = try await runChromium(["--screenshot=\(screenshot.path)", url])
            let png = try Data(contentsOf: screenshot)
            #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]))
            await worker.close()
            await client.close()
        }
    }
}
