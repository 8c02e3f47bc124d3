import Foundation
import Gearman
import GearmanProtocol
@testable import GearmanServer
import NIOCore
import Testing

/// `--keep-results`: the final outcome of background jobs, read with `result HANDLE` and `GearmanAdmin.result(of:)`.
@Suite(.timeLimit(.minutes(2))) struct ResultStoreTests {
    /// A clock the tests move by hand, so expiry needs no waiting.
    final class ManualClock: @unchecked Sendable {
        private let lock = NSLock()
        private var date = Date(timeIntervalSince1970: 1_700_000_000.25)
        var now: Date { lock.withLock { date } }
        var milliseconds: Int64 { Int64(now.timeIntervalSince1970 * 1000) }
        func advance(by seconds: TimeInterval) { lock.withLock { date += seconds } }
    }

    enum Store: CaseIterable, Sendable { case memory, sqlite }

    private func withServer<T>(
        store: @autoclosure () throws -> QueueStore?, clock: ManualClock = ManualClock(), keepResults: TimeAmount? = .hours(1),
        jobRetries: Int = 0, _ body: (GearmanServer, Int) async throws -> T
    ) async throws -> T {
        var configuration = ServerConfiguration(host: "127.0.0.1", port: 0, threads: 1, jobRetries: jobRetries)
        configuration.keepResults = keepResults
        configuration.clock = { clock.now }
        return try await GearmanServerTests.withServer(configuration, queueStore: try store(), body)
    }

    private func submit(_ port: Int, _ function: String, unique: String = "") async throws -> String {
        let client = try await TestPeer(port: port)
        defer { Task { await client.close() } }
        try await client.send(.submitJobBackground, function, unique, "payload")
        return try await client.receivePacket().string(0)
    }

    /// Submits a background job and has a worker end it with `end` (and `data`); returns its handle once the
    /// server has handled the end.
    private func run(_ port: Int, _ function: String, unique: String = "", end: PacketType, data: ByteBuffer? = nil) async throws -> String {
        // The worker comes first: a server sharing a queue store keeps only jobs it has a worker for.
        let worker = try await TestPeer(port: port)
        try await worker.send(.canDo, function)
        try await worker.send(.echoReq, "registered")
        _ = try await worker.receivePacket()
        let handle = try await submit(port, function, unique: unique)
        try await worker.send(.grabJob)
        #expect(try await worker.receivePacket() == Packet(.response, .jobAssign, [handle, function, "payload"]))
        try await worker.send(Packet(.request, end, [ByteBuffer(string: handle)] + (data.map { [$0] } ?? [])))
        try await worker.send(.echoReq, "handled")
        _ = try await worker.receivePacket()
        await worker.close()
        return handle
    }

    private func answer(_ port: Int, _ handle: String) async throws -> JobResultLine? {
        let admin = try await TestPeer(port: port)
        defer { Task { await admin.close() } }
        return JobResultLine(line: try await admin.adminResponse("result \(handle)")[0])
    }

    private static let binary = ByteBuffer(bytes: [0, 10, 13, 255, 32, 0])

    @Test func completedFailedAndRaisedJobsAreKeptAndSurviveARestart() async throws {
        let path = temporaryQueuePath("geard-results")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let clock = ManualClock()
        let finished = clock.milliseconds
        let handles = try await withServer(store: try SQLiteQueueStore(path: path), clock: clock) { _, port in
            let handles = [
                try await run(port, "ok", unique: "u-ok", end: .workComplete, data: Self.binary),
                try await run(port, "bad", end: .workFail),
                try await run(port, "boom", end: .workException, data: ByteBuffer(string: "oops")),
            ]
            // Right after the job ended, before or after its commit.
            #expect(try await answer(port, handles[0])?.data == Self.binary)
            return handles
        }
        try await withServer(store: try SQLiteQueueStore(path: path), clock: clock) { _, port in
            #expect(
                try await answer(port, handles[0])
                    == JobResultLine(status: .complete, finishedAt: finished, function: ByteBuffer(string: "ok"), unique: ByteBuffer(string: "u-ok"), data: Self.binary)
            )
            #expect(try await answer(port, handles[1]) == JobResultLine(status: .fail, finishedAt: finished, function: ByteBuffer(string: "bad"), unique: ByteBuffer()))
            #expect(try await answer(port, handles[2])?.data == ByteBuffer(string: "oops"))
            #expect(try await answer(port, handles[2])?.status == .exception)

            // A new job does not take a kept result's id.
            let fresh = try await submit(port, "later")
            #expect(!handles.contains(fresh))
            #expect(try await answer(port, fresh)?.status == .queued)

            try await GearmanAdmin.withConnection(to: ServerAddress(host: "127.0.0.1", port: port)) { admin in
                let outcome = try #require(try await admin.result(of: handles[0]))
                #expect(outcome.status == .complete && outcome.function == "ok" && outcome.unique == "u-ok")
                #expect(try outcome.payload(as: [UInt8].self) == [0, 10, 13, 255, 32, 0])
                #expect(outcome.finishedAt == Date(timeIntervalSince1970: Double(finished) / 1000))
                #expect(try await admin.result(of: handles[1])?.status == .fail)
                #expect(try await admin.result(of: fresh)?.status == .queued)
                #expect(try await admin.result(of: "H:nowhere:1") == nil)
            }
        }
    }

    /// `cancel job` keeps a CANCELLED result, for a queued job in memory and for a cold one read from the store.
    @Test func cancelledJobsAreKeptAsCancelledAndSurviveARestart() async throws {
        let path = temporaryQueuePath("geard-results")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let clock = ManualClock()
        var configuration = ServerConfiguration(host: "127.0.0.1", port: 0, threads: 1)
        configuration.keepResults = .hours(1)
        configuration.clock = { clock.now }
        configuration.queuedJobsInMemory = 1  // the second job of the queue is cold
        let handles = try await GearmanServerTests.withServer(configuration, queueStore: try SQLiteQueueStore(path: path)) { _, port in
            let handles = [try await submit(port, "drop", unique: "u-1"), try await submit(port, "drop", unique: "u-2")]
            let admin = try await TestPeer(port: port)
            // The cold one first: cancelling the first job reads the cold one back into memory.
            for handle in handles.reversed() { #expect(try await admin.adminResponse("cancel job \(handle)") == ["OK"]) }
            await admin.close()
            #expect(
                try await answer(port, handles[0])
                    == JobResultLine(status: .cancelled, finishedAt: clock.milliseconds, function: ByteBuffer(string: "drop"), unique: ByteBuffer(string: "u-1"))
            )
            #expect(try await answer(port, handles[1])?.unique == ByteBuffer(string: "u-2"))
            return handles
        }
        try await GearmanServerTests.withServer(configuration, queueStore: try SQLiteQueueStore(path: path)) { _, port in
            try await GearmanAdmin.withConnection(to: ServerAddress(host: "127.0.0.1", port: port)) { admin in
                for handle in handles { #expect(try await admin.result(of: handle)?.status == .cancelled) }
                let queue = try await admin.status().first { $0.function == "drop" }
                #expect(queue == nil || queue?.total == 0)
            }
        }
    }

    @Test func aRunningJobSaysSoAndAJobOutOfRetriesIsAFailure() async throws {
        try await withServer(store: nil, jobRetries: 1) { _, port in
            let handle = try await submit(port, "flaky")
            let worker = try await TestPeer(port: port)
            try await worker.send(.canDo, "flaky")
            try await worker.send(.grabJob)
            _ = try await worker.receivePacket()
            #expect(try await answer(port, handle)?.status == .running)
            await worker.close()
            try await waitUntil { try await answer(port, handle)?.status == .fail }
        }
    }

    @Test(arguments: Store.allCases)
    func expiredResultsAreNeitherReturnedNorKept(_ kind: Store) async throws {
        let path = temporaryQueuePath("geard-results")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let clock = ManualClock()
        try await withServer(store: kind == .sqlite ? try SQLiteQueueStore(path: path) : nil, clock: clock) { server, port in
            let kept = try await run(port, "f", end: .workComplete, data: ByteBuffer(string: "done"))
            let scheduler = server.scheduler
            clock.advance(by: 3599)
            #expect(try await answer(port, kept)?.data == ByteBuffer(string: "done"))
            #expect(try await scheduler.loop.flatSubmit { scheduler.results!.prune() }.get() == 0)
            clock.advance(by: 1)
            let admin = try await TestPeer(port: port)
            #expect(try await admin.adminResponse("result \(kept)") == ["ERR UNKNOWN_JOB no+such+job,+and+no+result+kept+for+it"])
            #expect(try await scheduler.loop.flatSubmit { scheduler.results!.prune() }.get() == 1)
        }
        if kind == .sqlite {
            // Deleted, not only hidden: nothing is left to prune.
            #expect(try SQLiteQueueStore(path: path).pruneResults(at: .max) == 0)
        }
    }

    @Test func withoutKeepResultsNothingIsStoredAndTheCommandSaysSo() async throws {
        let path = temporaryQueuePath("geard-results")
        defer { try? FileManager.default.removeItem(atPath: path) }
        try await withServer(store: try SQLiteQueueStore(path: path), keepResults: nil) { _, port in
            let handle = try await run(port, "f", end: .workComplete, data: ByteBuffer(string: "lost"))
            let admin = try await TestPeer(port: port)
            #expect(
                try await admin.adminResponse("result \(handle)")
                    == ["ERR RESULTS_DISABLED this+server+keeps+no+results+(geard+--keep-results)"]
            )
            _ = try await GearmanAdmin.withConnection(to: ServerAddress(host: "127.0.0.1", port: port)) { admin in
                await #expect(throws: GearmanError.serverError(code: "RESULTS_DISABLED", message: "this+server+keeps+no+results+(geard+--keep-results)")) {
                    try await admin.result(of: handle)
                }
            }
        }
        #expect(try SQLiteQueueStore(path: path).pruneResults(at: .max) == 0)
    }

    @Test func answersThatReadTheStoreKeepTheirOrder() async throws {
        let path = temporaryQueuePath("geard-results")
        defer { try? FileManager.default.removeItem(atPath: path) }
        try await withServer(store: try SQLiteQueueStore(path: path)) { _, port in
            let handle = try await run(port, "f", end: .workComplete, data: ByteBuffer(string: "done"))
            let unknown = handle[..<handle.lastIndex(of: ":")!] + ":999999"
            let admin = try await TestPeer(port: port)
            // The unknown id is looked up on the store's thread; the lines after it wait for its answer.
            try await admin.sendRaw(ByteBuffer(string: "result \(unknown)\nversion\nresult \(handle)\n"))
            #expect(try await admin.receive() == .adminLine(ByteBuffer(string: "ERR UNKNOWN_JOB no+such+job,+and+no+result+kept+for+it")))
            #expect(try await admin.receive() == .adminLine(ByteBuffer(string: "OK \(GearmanServer.version)")))
            guard case .adminLine(let line)? = try await admin.receive() else { throw TestPeer.UnexpectedFrame() }
            #expect(JobResultLine(line: String(buffer: line))?.data == ByteBuffer(string: "done"))
        }
    }

    @Test func readingAResultNeedsInvokeForTheJobsFunction() async throws {
        let list = try AccessControlList(parsing: "[worker]\nregister=reverse$\n\n[client]\ninvoke=reverse\n\n[admin]\ngrant=true\n")
        try await withTLSServer(accessControl: list, keepResults: .hours(1)) { _, plainPort, tlsPort in
            let client = try await TestPeer(port: tlsPort, tls: TLSFixtures.client("client"))
            try await client.send(.submitJobBackground, "reverse", "", "abc")
            let handle = try await client.receivePacket().string(0)
            let worker = try await TestPeer(port: tlsPort, tls: TLSFixtures.client("worker"))
            try await worker.send(.canDo, "reverse")
            try await worker.send(.grabJob)
            _ = try await worker.receivePacket()
            try await worker.send(.workComplete, handle, "cba")

            let denied = ["ERR PERMISSION_DENIED the+invoke+permission+for+the+job's+function+is+required"]
            #expect(try await worker.adminResponse("result \(handle)") == denied)
            #expect(try await TestPeer(port: plainPort).adminResponse("result \(handle)") == denied)
            #expect(JobResultLine(line: try await client.adminResponse("result \(handle)")[0])?.data == ByteBuffer(string: "cba"))
            let admin = try await TestPeer(port: tlsPort, tls: TLSFixtures.client("admin"))
            #expect(JobResultLine(line: try await admin.adminResponse("result \(handle)")[0])?.status == .complete)
        }
    }

    @Test func serversSharingAPostgresQueueReadEachOthersResults() async throws {
        try await PostgresTestDatabase.with { database in
            let first = try PostgresQueueStore(configuration: try database.configuration(server: "a"))
            let second = try PostgresQueueStore(configuration: try database.configuration(server: "b"))
            let clock = ManualClock()
            try await withServer(store: first, clock: clock) { _, firstPort in
                try await withServer(store: second, clock: clock) { _, secondPort in
                    let done = try await run(firstPort, "shared", unique: "u", end: .workComplete, data: Self.binary)
                    // The second server sees the result once the first has committed it with the job's removal.
                    try await waitUntil { try await answer(secondPort, done) != nil }
                    #expect(
                        try await answer(secondPort, done)
                            == JobResultLine(status: .complete, finishedAt: clock.milliseconds, function: ByteBuffer(string: "shared"), unique: ByteBuffer(string: "u"), data: Self.binary)
                    )

                    // A job the first server holds is pending as far as the second knows.
                    let worker = try await TestPeer(port: firstPort)
                    try await worker.send(.canDo, "held")
                    try await worker.send(.echoReq, "registered")
                    _ = try await worker.receivePacket()
                    let held = try await submit(firstPort, "held")
                    #expect(try await answer(secondPort, held) == JobResultLine(status: .pending, finishedAt: nil, function: ByteBuffer(string: "held"), unique: ByteBuffer()))
                }
            }
        }
    }
}
