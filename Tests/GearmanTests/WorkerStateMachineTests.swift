import Testing

@testable import Gearman

extension WorkerStateMachine.Action: Equatable where Connection: Equatable, Waiter: Equatable, Job: Equatable {
    public static func == (lhs: Self, rhs: Self) -> Bool { "\(lhs)" == "\(rhs)" }
}

struct WorkerStateMachineTests {
    typealias Machine = WorkerStateMachine<String, Int, String>

    @Test func grabsOncePerWaiter() {
        var machine = Machine()
        #expect(machine.connectionUp("a") == [])
        #expect(machine.waiterArrived(1) == [.grab("a")])
        #expect(machine.waiterArrived(2) == [.grab("a")])
        #expect(machine.assigned("job1", on: "a") == [.deliver("job1", to: 1)])
        #expect(machine.waiterArrived(3) == [.grab("a")])
    }

    @Test func sleepsOnceEveryGrabIsAnswered() {
        var machine = Machine()
        _ = machine.connectionUp("a")
        _ = machine.waiterArrived(1)
        _ = machine.waiterArrived(2)
        #expect(machine.noJob(on: "a") == [])  // the other grab is still out
        #expect(machine.waiterArrived(3) == [])  // no grab on a drained connection
        #expect(machine.noJob(on: "a") == [.preSleep("a")])
        #expect(machine.noop(on: "a") == [.grab("a"), .grab("a"), .grab("a")])
    }

    @Test func aJobAfterNoJobMeansMoreMayCome() {
        var machine = Machine()
        _ = machine.connectionUp("a")
        _ = machine.waiterArrived(1)
        _ = machine.waiterArrived(2)
        #expect(machine.noJob(on: "a") == [])
        #expect(machine.assigned("job", on: "a") == [.deliver("job", to: 1), .grab("a")])
    }

    @Test func sleepsAfterNoJobAndGrabsAfterNoop() {
        var machine = Machine()
        _ = machine.connectionUp("a")
        _ = machine.waiterArrived(1)
        #expect(machine.noJob(on: "a") == [.preSleep("a")])
        #expect(machine.noop(on: "a") == [.grab("a")])
        #expect(machine.noop(on: "a") == [])  // stray NOOP while grabbing
    }

    @Test func anIdleConnectionSleepsWithAFinishingJobInsteadOfGrabbing() {
        var machine = Machine()
        _ = machine.connectionUp("a")
        _ = machine.waiterArrived(1)
        #expect(machine.noJob(on: "a") == [.preSleep("a")])
        for job in 1..<Machine.probeInterval {
            #expect(machine.noop(on: "a") == [.grab("a")])
            #expect(machine.assigned("job\(job)", on: "a") == [.deliver("job\(job)", to: job)])
            #expect(machine.jobFinishing(on: "a") == true)
            #expect(machine.waiterArrived(job + 1) == [.preSleep("a")])
            machine.jobFinished(on: "a")
        }
        // Every probeInterval-th time it grabs, to notice jobs queueing up again.
        #expect(machine.noop(on: "a") == [.grab("a")])
        #expect(machine.assigned("job", on: "a") == [.deliver("job", to: Machine.probeInterval)])
        _ = machine.jobFinishing(on: "a")
        #expect(machine.waiterArrived(100) == [.grab("a")])
        #expect(machine.noJob(on: "a") == [.preSleep("a")])
    }

    /// A machine whose connection "a" found its queue empty and sleeps, `waiter` still waiting.
    private func machineSleepingAfterNoJob(waiter: Int = 1) -> Machine {
        var machine = Machine()
        _ = machine.connectionUp("a")
        _ = machine.waiterArrived(waiter)
        _ = machine.noJob(on: "a")
        return machine
    }

    @Test func aWaiterArrivingAfterTheFinalPacketWasWrittenGrabs() {
        var machine = machineSleepingAfterNoJob()
        _ = machine.noop(on: "a")
        _ = machine.assigned("job", on: "a")
        _ = machine.jobFinishing(on: "a")
        machine.jobFinished(on: "a")
        #expect(machine.waiterArrived(2) == [.grab("a")])
    }

    @Test func aProbeThatFindsAJobEndsIdleness() {
        var machine = machineSleepingAfterNoJob(waiter: 0)
        for job in 1..<Machine.probeInterval {
            _ = machine.noop(on: "a")
            _ = machine.assigned("job", on: "a")
            _ = machine.jobFinishing(on: "a")
            _ = machine.waiterArrived(job)
            machine.jobFinished(on: "a")
        }
        _ = machine.noop(on: "a")
        _ = machine.assigned("woke", on: "a")
        _ = machine.jobFinishing(on: "a")
        #expect(machine.waiterArrived(100) == [.grab("a")])
        machine.jobFinished(on: "a")
        #expect(machine.assigned("queued", on: "a") == [.deliver("queued", to: 100)])
        _ = machine.jobFinishing(on: "a")
        #expect(machine.waiterArrived(101) == [.grab("a")])
    }

    @Test func aConnectionNeverSeenEmptyGrabsAfterAJob() {
        var machine = Machine()
        _ = machine.connectionUp("a")
        #expect(machine.waiterArrived(1) == [.grab("a")])
        #expect(machine.assigned("job", on: "a") == [.deliver("job", to: 1)])
        #expect(machine.jobFinishing(on: "a") == false)
        #expect(machine.waiterArrived(2) == [.grab("a")])
    }

    @Test func anIdleConnectionWithGrabsOutGrabsForANewWaiter() {
        var machine = machineSleepingAfterNoJob()
        _ = machine.waiterArrived(2)
        #expect(machine.noop(on: "a") == [.grab("a"), .grab("a")])
        #expect(machine.assigned("job", on: "a") == [.deliver("job", to: 1)])
        _ = machine.jobFinishing(on: "a")
        #expect(machine.waiterArrived(3) == [.grab("a")])  // the other grab is still out
    }

    @Test func spreadsGrabsOverConnections() {
        var machine = Machine()
        _ = machine.connectionUp("a")
        _ = machine.connectionUp("b")
        #expect(machine.waiterArrived(1) == [.grab("a")])
        #expect(machine.waiterArrived(2) == [.grab("b")])
        #expect(machine.waiterArrived(3) == [.grab("a")])
        #expect(machine.noJob(on: "a") == [.grab("b")])  // the waiter's grab moves to a connection that may have jobs
        #expect(machine.noJob(on: "a") == [.preSleep("a"), .grab("b")])
        #expect(machine.connectionDown("b") == [])
        #expect(machine.connectionUp("c") == [.grab("c"), .grab("c"), .grab("c")])
    }

    @Test func keepsJobsWhoseWaiterLeft() {
        var machine = Machine()
        _ = machine.connectionUp("a")
        _ = machine.waiterArrived(1)
        #expect(machine.waiterLeft(1) == [.release([1])])
        #expect(machine.assigned("job", on: "a") == [])
        #expect(machine.waiterArrived(2) == [.deliver("job", to: 2)])
    }

    @Test func stopReleasesWaitersForGood() {
        var machine = Machine()
        _ = machine.connectionUp("a")
        _ = machine.waiterArrived(1)
        _ = machine.waiterArrived(2)
        #expect(machine.stop() == [.release([1, 2])])
        #expect(machine.waiterArrived(3) == [.release([3])])
        #expect(machine.isStopped)
    }

    @Test func interruptReleasesCurrentWaitersOnly() {
        var machine = Machine()
        _ = machine.waiterArrived(1)
        #expect(machine.interrupt() == [.release([1])])
        _ = machine.connectionUp("a")
        #expect(machine.waiterArrived(2) == [.grab("a")])
    }
}
