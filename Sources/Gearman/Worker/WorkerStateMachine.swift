/// Decides when a worker grabs jobs, without sockets: one GRAB_JOB in flight per caller waiting for a job, spread
/// over the connections, PRE_SLEEP on a connection once its grabs are answered and one of them with NO_JOB, and
/// grabbing again after NOOP. Several grabs in flight on one connection keep a worker that runs jobs concurrently
/// from waiting a round trip per job.
///
/// A connection whose queue ran dry is *idle*. When the job that woke it finishes and its caller asks for the next job
/// before the job's final packet is written, the connection goes back to sleep with a PRE_SLEEP in the same write
/// (every server answers it with NOOP at once if jobs are queued), instead of a GRAB_JOB that NO_JOB would answer. That
/// saves the worker and the server a packet each way per job when jobs come one at a time. A caller that comes back
/// later grabs as usual: by then the next job may be queued, and PRE_SLEEP would cost a round trip more. Every
/// ``probeInterval``-th time an idle connection grabs all the same, and a job found so (the queue held more than the job
/// that woke it) ends idleness.
///
/// `Connection` identifies a server connection, `Waiter` a caller of `nextJob()`.
struct WorkerStateMachine<Connection: Equatable, Waiter: Equatable, Job> {
    fileprivate struct ConnectionState {
        let id: Connection
        /// GRAB_JOBs sent and not answered yet.
        var grabs = 0
        /// A grab was answered NO_JOB: grab no more, sleep once the others are answered.
        var drained = false
        /// PRE_SLEEP sent: grab again after NOOP.
        var sleeping = false
        /// The queue was last seen empty: sleep rather than grab after a job.
        var idle = false
        /// Grabs answered since the connection came up or woke with NOOP.
        var answersSinceWake = 0
        /// Sleeps instead of a grab left before the next probing grab.
        var sleepsBeforeProbe = probeInterval
        /// A job's final packet is queued and not written yet.
        var finishing = false

        var canGrab: Bool { !drained && !sleeping }

        /// Whether to sleep rather than grab for a waiter, and if so marks the connection sleeping.
        mutating func sleepsRatherThanGrabs() -> Bool {
            guard finishing, idle, grabs == 0, answersSinceWake > 0 else { return false }
            finishing = false
            sleepsBeforeProbe -= 1
            guard sleepsBeforeProbe > 0 else {
                sleepsBeforeProbe = probeInterval
                return false
            }
            sleeping = true
            return true
        }
    }

    enum Action {
        case grab(Connection)
        case preSleep(Connection)
        case deliver(Job, to: Waiter)
        /// Resume these waiters without a job (stopped or interrupted).
        case release([Waiter])
    }

    /// How often an idle connection grabs after a job instead of sleeping, to notice that jobs queue up again.
    static var probeInterval: Int { 8 }

    /// Connections in the order they came up; grabbing rotates over them.
    private var connections: [ConnectionState] = []
    private var cursor = 0
    private var waiters: [Waiter] = []
    /// Jobs assigned after their waiter left; handed to the next waiter.
    private var unclaimed: [Job] = []
    private(set) var isStopped = false

    mutating func connectionUp(_ connection: Connection) -> [Action] {
        guard !connections.contains(where: { $0.id == connection }) else { return [] }
        connections.append(ConnectionState(id: connection))
        return rebalance()
    }

    mutating func connectionDown(_ connection: Connection) -> [Action] {
        connections.removeAll { $0.id == connection }
        return rebalance()
    }

    /// A caller wants a job.
    mutating func waiterArrived(_ waiter: Waiter) -> [Action] {
        if isStopped { return [.release([waiter])] }
        if !unclaimed.isEmpty { return [.deliver(unclaimed.removeFirst(), to: waiter)] }
        waiters.append(waiter)
        return rebalance()
    }

    /// A caller stopped waiting (task cancelled).
    mutating func waiterLeft(_ waiter: Waiter) -> [Action] {
        guard let index = waiters.firstIndex(of: waiter) else { return [] }
        waiters.remove(at: index)
        return [.release([waiter])]
    }

    mutating func noJob(on connection: Connection) -> [Action] {
        guard let index = connections.firstIndex(where: { $0.id == connection }), connections[index].grabs > 0 else { return [] }
        connections[index].grabs -= 1
        connections[index].answersSinceWake += 1
        connections[index].idle = true
        connections[index].drained = true
        guard connections[index].grabs == 0 else { return rebalance() }
        connections[index].drained = false
        connections[index].sleeping = true
        return [.preSleep(connection)] + rebalance()
    }

    mutating func noop(on connection: Connection) -> [Action] {
        guard let index = connections.firstIndex(where: { $0.id == connection }), connections[index].sleeping else { return [] }
        connections[index].sleeping = false
        connections[index].answersSinceWake = 0
        return rebalance()
    }

    mutating func assigned(_ job: Job, on connection: Connection) -> [Action] {
        if let index = connections.firstIndex(where: { $0.id == connection }), connections[index].grabs > 0 {
            connections[index].grabs -= 1
            // A job came after a NO_JOB: the queue may hold more.
            connections[index].drained = false
            // More than the job that woke the connection: jobs are queueing.
            if connections[index].answersSinceWake > 0 { connections[index].idle = false }
            connections[index].answersSinceWake += 1
        }
        var actions: [Action]
        if waiters.isEmpty {
            unclaimed.append(job)
            actions = []
        } else {
            actions = [.deliver(job, to: waiters.removeFirst())]
        }
        return actions + rebalance()
    }

    /// A job from `connection` queued its final packet: a PRE_SLEEP for a waiter arriving before ``jobFinished(on:)``
    /// leaves with it. Returns whether the connection is idle, so that ``jobFinished(on:)`` matters.
    mutating func jobFinishing(on connection: Connection) -> Bool {
        guard let index = connections.firstIndex(where: { $0.id == connection }), connections[index].idle else { return false }
        connections[index].finishing = true
        return true
    }

    /// The packets queued with a job's final packet are written.
    mutating func jobFinished(on connection: Connection) {
        guard let index = connections.firstIndex(where: { $0.id == connection }) else { return }
        connections[index].finishing = false
    }

    /// Releases the current waiters without a job; later callers still get jobs.
    mutating func interrupt() -> [Action] {
        defer { waiters = [] }
        return waiters.isEmpty ? [] : [.release(waiters)]
    }

    /// Stops taking jobs for good: current and later waiters are released without a job.
    mutating func stop() -> [Action] {
        isStopped = true
        return interrupt()
    }

    /// Starts GRAB_JOBs until one is in flight per waiter, one connection after another; an idle connection whose job
    /// is finishing goes to sleep instead.
    private mutating func rebalance() -> [Action] {
        var needed = waiters.count - connections.reduce(0) { $0 + $1.grabs }
        var actions: [Action] = []
        while needed > 0, let index = nextGrabbingConnection() {
            if connections[index].sleepsRatherThanGrabs() {
                actions.append(.preSleep(connections[index].id))
                continue
            }
            connections[index].grabs += 1
            actions.append(.grab(connections[index].id))
            needed -= 1
        }
        return actions
    }

    /// The next connection in turn that may grab, moving the cursor past it.
    private mutating func nextGrabbingConnection() -> Int? {
        for offset in 0..<connections.count {
            let index = (cursor + offset) % connections.count
            if connections[index].canGrab {
                cursor = (index + 1) % connections.count
                return index
            }
        }
        return nil
    }
}

extension WorkerStateMachine: Sendable where Connection: Sendable, Waiter: Sendable, Job: Sendable {}
extension WorkerStateMachine.ConnectionState: Sendable where Connection: Sendable {}
