import Testing

@testable import Gearman

extension WorkerStateMachine.Action: Equatable where Connection: Equatable, Waiter: Equatable, Job: Equatable {
    public static func == (lhs: Self, rhs: Self) -> Bool { "\(lhs)" == "\(rhs)" }
}

struct WorkerStateMachineTests {
    typealias Machine = WorkerStateMachine<String, Int, String>

    @Test func grabsOnlyWhenSomeoneWaits() {
        var machine = Machine()
        #expect(machine.connectionUp("a") == [])
        #expect(machine.waiterArrived(1) == [.grab("a")])
        #expect(machine.waiterArrived(2) == [])  // one grab in flight per connection
        #expect(machine.assigned("job1", on: "a") == [.deliver("job1", to: 1), .grab("a")])
    }

    @Test func sleepsAfterNoJobAndGrabsAfterNoop() {
        var machine = Machine()
        _ = machine.connectionUp("a")
        _ = machine.waiterArrived(1)
        #expect(machine.noJob(on: "a") == [.preSleep("a")])
        #expect(machine.noop(on: "a") == [.grab("a")])
        #expect(machine.noop(on: "a") == [])  // stray NOOP while grabbing
    }

    @Test func spreadsGrabsOverConnections() {
        var machine = Machine()
        _ = machine.connectionUp("a")
        _ = machine.connectionUp("b")
        #expect(machine.waiterArrived(1) == [.grab("a")])
        #expect(machine.waiterArrived(2) == [.grab("b")])
        #expect(machine.noJob(on: "a") == [.preSleep("a")])
        #expect(machine.connectionDown("b") == [])
        #expect(machine.connectionUp("c") == [.grab("c")])
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
