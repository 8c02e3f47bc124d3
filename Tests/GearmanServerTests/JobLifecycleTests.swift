import Foundation
import GearmanProtocol
import GearmanServer
import NIOCore
import Testing

@Suite struct JobLifecycleTests {
    /// A worker registered for `functions`, confirmed by an echo round trip.
    private func worker(port: Int, _ functions: String..., grab: PacketType = .grabJob) async throws -> TestPeer {
        let worker = try await TestPeer(port: port)
        for function in functions { try await worker.send(.canDo, function) }
        try await worker.send(.echoReq, "ready")
        #expect(try await worker.receivePacket() == Packet(.response, .echoRes, ["ready"]))
        return worker
    }

    private func submit(_ client: TestPeer, _ function: String, unique: String = "", _ payload: String, as type: PacketType = .submitJob)
        async throws -> String
    {
        try await client.send(type, function, unique, payload)
        let created = try await client.receivePacket()
        #expect(created.type == .jobCreated)
        return created.string(0)
    }

    @Test func echoRoundTrip() async throws {
        try await withServer { _, port in
            let peer = try await TestPeer(port: port)
            try await peer.send(.echoReq, "ping\0with nul")
            #expect(try await peer.receivePacket() == Packet(.response, .echoRes, ["ping\0with nul"]))
        }
    }

    @Test func foregroundJobRelaysEveryWorkPacket() async throws {
        try await withServer { _, port in
            let client = try await TestPeer(port: port)
            let handle = try await submit(client, "reverse", "abc")
            let worker = try await worker(port: port, "reverse")
            try await worker.send(.grabJob)
            #expect(try await worker.receivePacket() == Packet(.response, .jobAssign, [handle, "reverse", "abc"]))
            try await worker.send(.workStatus, handle, "1", "2")
            try await worker.send(.workData, handle, "partial")
            try await worker.send(.workWarning, handle, "careful")
            try await worker.send(.workComplete, handle, "cba")
            #expect(try await client.receivePacket() == Packet(.response, .workStatus, [handle, "1", "2"]))
            #expect(try await client.receivePacket() == Packet(.response, .workData, [handle, "partial"]))
            #expect(try await client.receivePacket() == Packet(.response, .workWarning, [handle, "careful"]))
            #expect(try await client.receivePacket() == Packet(.response, .workComplete, [handle, "cba"]))
            try await client.send(.getStatus, handle)
            #expect(try await client.receivePacket() == Packet(.response, .statusRes, [handle, "0", "0", "0", "0"]))
        }
    }

    @Test func prioritiesRunHighThenNormalThenLowFIFOWithin() async throws {
        try await withServer { _, port in
            let client = try await TestPeer(port: port)
            let order: [(PacketType, String)] = [
                (.submitJobLowBackground, "low1"), (.submitJobBackground, "normal1"), (.submitJobHighBackground, "high1"),
                (.submitJobLowBackground, "low2"), (.submitJobHighBackground, "high2"), (.submitJobBackground, "normal2"),
            ]
            for (type, payload) in order { _ = try await submit(client, "work", payload, as: type) }
            let worker = try await worker(port: port, "work")
            var received: [String] = []
            for _ in order {
                try await worker.send(.grabJob)
                let assigned = try await worker.receivePacket()
                received.append(assigned.string(2))
                try await worker.send(.workComplete, assigned.string(0), "")
            }
            #expect(received == ["high1", "high2", "normal1", "normal2", "low1", "low2"])
            try await worker.send(.grabJob)
            #expect(try await worker.receivePacket().type == .noJob)
        }
    }

    @Test func uniqueIDsCoalesceForegroundAndBackground() async throws {
        try await withServer { _, port in
            let first = try await TestPeer(port: port)
            let second = try await TestPeer(port: port)
            let background = try await TestPeer(port: port)
            let handle = try await submit(first, "slow", unique: "u-1", "payload")
            #expect(try await submit(second, "slow", unique: "u-1", "other payload") == handle)
            #expect(try await submit(background, "slow", unique: "u-1", "x", as: .submitJobBackground) == handle)
            #expect(try await submit(first, "slow", unique: "", "no unique") != handle)
            try await first.send(.getStatusUnique, "u-1")
            #expect(try await first.receivePacket() == Packet(.response, .statusResUnique, ["u-1", "1", "0", "0", "0", "2"]))

            let worker = try await worker(port: port, "slow", grab: .grabJobUniq)
            try await worker.send(.grabJobUniq)
            #expect(try await worker.receivePacket() == Packet(.response, .jobAssignUniq, [handle, "slow", "u-1", "payload"]))
            try await worker.send(.workComplete, handle, "done")
            #expect(try await first.receivePacket() == Packet(.response, .workComplete, [handle, "done"]))
            #expect(try await second.receivePacket() == Packet(.response, .workComplete, [handle, "done"]))
        }
    }

    @Test func dashUniqueCoalescesOnThePayload() async throws {
        try await withServer { _, port in
            let client = try await TestPeer(port: port)
            let a = try await submit(client, "f", unique: "-", "same", as: .submitJobBackground)
            let b = try await submit(client, "f", unique: "-", "same", as: .submitJobBackground)
            let c = try await submit(client, "f", unique: "-", "different", as: .submitJobBackground)
            #expect(a == b)
            #expect(a != c)
        }
    }

    @Test func exceptionsReachOnlyClientsThatAskedForThem() async throws {
        try await withServer { _, port in
            let wantsExceptions = try await TestPeer(port: port)
            try await wantsExceptions.send(.optionReq, "exceptions")
            #expect(try await wantsExceptions.receivePacket() == Packet(.response, .optionRes, ["exceptions"]))
            let plain = try await TestPeer(port: port)
            let handle = try await submit(wantsExceptions, "boom", unique: "e", "")
            _ = try await submit(plain, "boom", unique: "e", "")
            let worker = try await worker(port: port, "boom")
            try await worker.send(.grabJob)
            _ = try await worker.receivePacket()
            try await worker.send(.workException, handle, "stack trace")
            #expect(try await wantsExceptions.receivePacket() == Packet(.response, .workException, [handle, "stack trace"]))
            #expect(try await plain.receivePacket() == Packet(.response, .workFail, [handle]))
            try await worker.send(.workComplete, handle, "late")
            #expect(try await worker.receivePacket().string(0) == "JOB_NOT_FOUND")
        }
    }

    @Test func unknownOptionIsAnError() async throws {
        try await withServer { _, port in
            let client = try await TestPeer(port: port)
            try await client.send(.optionReq, "frobnicate")
            #expect(try await client.receivePacket().type == .error)
        }
    }

    @Test func preSleepWakesOneWorkerPerJob() async throws {
        try await withServer { _, port in
            let first = try await worker(port: port, "f")
            let second = try await worker(port: port, "f")
            try await first.send(.preSleep)
            try await second.send(.preSleep)
            // Round trips make sure both PRE_SLEEPs were processed before the submit.
            for worker in [first, second] {
                try await worker.send(.echoReq, "slept")
                #expect(try await worker.receivePacket().type == .echoRes)
            }
            let client = try await TestPeer(port: port)
            _ = try await submit(client, "f", "job", as: .submitJobBackground)
            var woken: [TestPeer] = []
            for worker in [first, second] {
                try await worker.send(.echoReq, "probe")
                let next = try await worker.receivePacket()
                if next.type == .noop {
                    woken.append(worker)
                    #expect(try await worker.receivePacket().type == .echoRes)
                }
            }
            #expect(woken.count == 1)
        }
    }

    @Test func preSleepWithQueuedWorkAnswersAtOnce() async throws {
        try await withServer { _, port in
            let client = try await TestPeer(port: port)
            _ = try await submit(client, "f", "job", as: .submitJobBackground)
            let worker = try await worker(port: port, "f")
            try await worker.send(.preSleep)
            #expect(try await worker.receivePacket().type == .noop)
        }
    }

    @Test func workerThatVanishesMidJobHasItsJobRequeued() async throws {
        try await withServer { _, port in
            let client = try await TestPeer(port: port)
            let handle = try await submit(client, "f", "payload")
            let quitter = try await worker(port: port, "f")
            try await quitter.send(.grabJob)
            #expect(try await quitter.receivePacket().type == .jobAssign)
            let replacement = try await worker(port: port, "f")
            try await replacement.send(.preSleep)
            await quitter.close()
            #expect(try await replacement.receivePacket().type == .noop)
            try await replacement.send(.grabJob)
            #expect(try await replacement.receivePacket() == Packet(.response, .jobAssign, [handle, "f", "payload"]))
            try await replacement.send(.workComplete, handle, "ok")
            #expect(try await client.receivePacket() == Packet(.response, .workComplete, [handle, "ok"]))
        }
    }

    @Test func jobRetriesFailAJobWhoseWorkersKeepVanishing() async throws {
        try await withServer(ServerConfiguration(host: "127.0.0.1", port: 0, threads: 1, jobRetries: 1)) { _, port in
            let client = try await TestPeer(port: port)
            let handle = try await submit(client, "f", "payload")
            let quitter = try await worker(port: port, "f")
            try await quitter.send(.grabJob)
            _ = try await quitter.receivePacket()
            await quitter.close()
            #expect(try await client.receivePacket() == Packet(.response, .workFail, [handle]))
        }
    }

    @Test func canDoTimeoutTakesTheJobBackAndRefusesTheLateResult() async throws {
        try await withServer { _, port in
            let client = try await TestPeer(port: port)
            let handle = try await submit(client, "slow", "payload")
            let sluggish = try await TestPeer(port: port)
            try await sluggish.send(.canDoTimeout, "slow", "1")
            try await sluggish.send(.grabJob)
            #expect(try await sluggish.receivePacket().type == .jobAssign)
            let replacement = try await worker(port: port, "slow")
            try await replacement.send(.preSleep)
            #expect(try await replacement.receivePacket(timeout: .seconds(30)).type == .noop)
            try await sluggish.send(.workComplete, handle, "late")
            #expect(try await sluggish.receivePacket().string(0) == "JOB_NOT_FOUND")
            try await replacement.send(.grabJob)
            #expect(try await replacement.receivePacket().string(0) == handle)
            try await replacement.send(.workComplete, handle, "on time")
            #expect(try await client.receivePacket() == Packet(.response, .workComplete, [handle, "on time"]))
        }
    }

    @Test func epochJobWaitsForItsTime() async throws {
        try await withServer { _, port in
            let client = try await TestPeer(port: port)
            let runAt = Int(Date.now.timeIntervalSince1970) + 3
            try await client.send(.submitJobEpoch, "later", "", String(runAt), "payload")
            let handle = try await client.receivePacket().string(0)
            let worker = try await worker(port: port, "later")
            try await worker.send(.grabJob)
            var answer = try await worker.receivePacket()
            // Only an answer that arrived before the job's time must be NO_JOB; a slow machine may get there later.
            if Int(Date.now.timeIntervalSince1970) < runAt { #expect(answer.type == .noJob) }
            if answer.type == .noJob {
                try await worker.send(.preSleep)
                #expect(try await worker.receivePacket(timeout: .seconds(30)).type == .noop)
                #expect(Int(Date.now.timeIntervalSince1970) >= runAt)
                try await worker.send(.grabJob)
                answer = try await worker.receivePacket()
            }
            #expect(answer == Packet(.response, .jobAssign, [handle, "later", "payload"]))
        }
    }

    @Test func epochInThePastRunsAtOnce() async throws {
        try await withServer { _, port in
            let client = try await TestPeer(port: port)
            try await client.send(.submitJobEpoch, "f", "", "1000", "old")
            _ = try await client.receivePacket()
            let worker = try await worker(port: port, "f")
            try await worker.send(.grabJob)
            #expect(try await worker.receivePacket().string(2) == "old")
        }
    }

    @Test func foregroundJobWhoseClientLeftBeforeItStartedIsDropped() async throws {
        try await withServer { _, port in
            let client = try await TestPeer(port: port)
            _ = try await submit(client, "f", "payload")
            await client.close()
            let admin = try await TestPeer(port: port)
            try await waitUntil { try await admin.adminResponse("status") == ["f\t0\t0\t0", "."] }
            let worker = try await worker(port: port, "f")
            try await worker.send(.grabJob)
            #expect(try await worker.receivePacket().type == .noJob)
        }
    }

    @Test func maxQueueRefusesSubmitsBeyondTheLimit() async throws {
        try await withServer { _, port in
            let admin = try await TestPeer(port: port)
            #expect(try await admin.adminResponse("maxqueue capped 1") == ["OK"])
            let client = try await TestPeer(port: port)
            _ = try await submit(client, "capped", "one", as: .submitJobBackground)
            try await client.send(.submitJobBackground, "capped", "", "two")
            #expect(try await client.receivePacket() == Packet(.response, .error, ["QUEUE_ERROR", "Job queue is full"]))
        }
    }

    @Test func binaryAndLargePayloadsPassUnchanged() async throws {
        try await withServer { _, port in
            let client = try await TestPeer(port: port)
            var payload = ByteBuffer()
            payload.writeBytes((0..<(16 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31) })
            payload.setBytes([0, 0, 0], at: 0)
            try await client.send(Packet(.request, .submitJob, [ByteBuffer(string: "big"), ByteBuffer(), payload]))
            let handle = try await client.receivePacket().arguments[0]
            let worker = try await worker(port: port, "big")
            try await worker.send(.grabJob)
            let assigned = try await worker.receivePacket(timeout: .seconds(60))
            #expect(assigned.arguments[2] == payload)
            try await worker.send(Packet(.request, .workComplete, [handle, payload]))
            #expect(try await client.receivePacket(timeout: .seconds(60)).arguments[1] == payload)
        }
    }

    @Test func grabJobAllAnswersLikeGearmand() async throws {
        try await withServer { _, port in
            let client = try await TestPeer(port: port)
            let plain = try await submit(client, "f", unique: "u", "data", as: .submitJobBackground)
            try await client.send(.submitReduceJobBackground, "f", "u2", "reducer", "", "mapped")
            let reduce = try await client.receivePacket().string(0)
            let worker = try await worker(port: port, "f")
            try await worker.send(.grabJobAll)
            #expect(try await worker.receivePacket() == Packet(.response, .jobAssignUniq, [plain, "f", "u", "data"]))
            try await worker.send(.grabJobAll)
            #expect(try await worker.receivePacket() == Packet(.response, .jobAssignAll, [reduce, "f", "u2", "reducer", "mapped"]))
        }
    }
}

/// Polls `condition` until it holds, for at most `timeout`; fails the test otherwise.
func waitUntil(timeout: Duration = .seconds(10), _ condition: () async throws -> Bool) async throws {
    let deadline = ContinuousClock.now + timeout
    while try await !condition() {
        guard ContinuousClock.now < deadline else {
            Issue.record("condition not met within \(timeout)")
            return
        }
        try await Task.sleep(for: .milliseconds(10))
    }
}
