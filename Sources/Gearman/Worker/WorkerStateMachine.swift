/// Decides when a worker grabs jobs, without sockets: one GRAB_JOB in flight per connection, only as many
/// as there are callers waiting for a job, PRE_SLEEP after NO_JOB and grabbing again after NOOP.
///
/// `Connection` identifies a server connection, `Waiter` a caller of `nextJob()`.
struct WorkerStateMachine<Connection: Hashable, Waiter: Hashable, Job> {
    private enum ConnectionState {
        case idle
        case grabbing
        case sleeping
    }

    enum Action {
        case grab(Connection)
        case preSleep(Connection)
        case deliver(Job, to: Waiter)
        /// Resume these waiters without a job (stopped or interrupted).
        case release([Waiter])
    }

    /// Connections in the order they came up; grabbing rotates over them.
    private var connections: [(id: Connection, state: ConnectionState)] = []
    private var cursor = 0
    private var waiters: [Waiter] = []
    /// Jobs assigned after their waiter left; handed to the next waiter.
    private var unclaimed: [Job] = []
    private(set) var isStopped = false

    mutating func connectionUp(_ connection: Connection) -> [Action] {
        guard !connections.contains(where: { $0.id == connection }) else { return [] }
        connections.append((connection, .idle))
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
        guard setState(of: connection, from: .grabbing, to: .sleeping) else { return [] }
        return [.preSleep(connection)] + rebalance()
    }

    mutating func noop(on connection: Connection) -> [Action] {
        guard setState(of: connection, from: .sleeping, to: .idle) else { return [] }
        return rebalance()
    }

    mutating func assigned(_ job: Job, on connection: Connection) -> [Action] {
        _ = setState(of: connection, from: .grabbing, to: .idle)
        var actions: [Action]
        if waiters.isEmpty {
            unclaimed.append(job)
            actions = []
        } else {
            actions = [.deliver(job, to: waiters.removeFirst())]
        }
        return actions + rebalance()
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

    /// Starts GRAB_JOBs on idle connections until one is in flight per waiter.
    private mutating func rebalance() -> [Action] {
        var needed = waiters.count - connections.count(where: { $0.state == .grabbing })
        var actions: [Action] = []
        var offset = 0
        while needed > 0, offset < connections.count {
            let index = (cursor + offset) % connections.count
            offset += 1
            guard connections[index].state == .idle else { continue }
            connections[index].state = .grabbing
            actions.append(.grab(connections[index].id))
            needed -= 1
            cursor = (index + 1) % connections.count
        }
        return actions
    }

    private mutating func setState(of connection: Connection, from old: ConnectionState, to new: ConnectionState) -> Bool {
        guard let index = connections.firstIndex(where: { $0.id == connection }), connections[index].state == old else { return false }
        connections[index].state = new
        return true
    }
}

extension WorkerStateMachine: Sendable where Connection: Sendable, Waiter: Sendable, Job: Sendable {}
