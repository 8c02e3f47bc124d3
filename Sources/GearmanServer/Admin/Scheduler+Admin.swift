import Foundation
import GearmanProtocol
import Logging
import NIOCore

extension Scheduler {
    /// Answers one text admin line, byte for byte as gearmand does unless noted.
    func handleAdmin(_ line: ByteBuffer, from connection: ServerConnection) {
        guard !connection.isClosed else { return }
        let command = AdminCommand(parsing: line)
        if let refusal = refusal(of: command, from: connection) {
            return sendText(connection, refusal)
        }
        switch response(to: command, from: connection) {
        case .text(let text): sendText(connection, text)
        case .later(let answer): hold(connection, until: answer)
        }
        if case .shutdown(let graceful) = command {
            logger.notice("shutdown requested by admin", metadata: ["connection": "\(connection.id)", "graceful": "\(graceful)"])
            requestShutdown(graceful)
        }
    }

    private func response(to command: AdminCommand, from connection: ServerConnection) -> AdminAnswer {
        switch command {
        case .status:
            return .text(listing(sortedFunctions.map { "\($0.displayName)\t\($0.totalJobs)\t\($0.runningCount)\t\($0.workerCount)" }))
        case .priorityStatus:
            return .text(listing(
                sortedFunctions.map { function in
                    let counts = JobPriority.allCases.map { String(function.queuedCount[$0.rawValue]) }
                    return ([function.displayName] + counts + [String(function.workerCount)]).joined(separator: "\t")
                }
            ))
        case .workers:
            return .text(listing(
                connections.values.sorted { $0.id < $1.id }.map { connection in
                    // gearmand lists a worker's functions newest first.
                    let names = connection.abilities.reversed().map { " " + $0.function.displayName }.joined()
                    return "\(connection.id) \(connection.peerAddress) \(connection.clientID) :\(names)"
                }
            ))
        case .version:
            return .text("OK \(configuration.version)\n")
        case .getpid:
            return .text("OK \(ProcessInfo.processInfo.processIdentifier)\n")
        case .verbose:
            return .text("OK \(logger.logLevel.rawValue.uppercased())\n")
        case .maxQueue(let name, let limits):
            let function = function(named: ByteBuffer(string: name))
            let values = limits ?? [0]
            // One value applies to every priority; three set high, normal and low.
            function.maxQueue = JobPriority.allCases.map { values.count >= 3 ? values[$0.rawValue] : values[0] }
            return .text(Self.ok)
        case .shutdown:
            return .text(Self.ok)
        case .showJobs:
            var jobs = jobsByHandle.values.map { (handle: $0.handle.string, line: "\t\($0.retries)\t0\t\($0.state == .running ? 0 : 1)") }
            forEachColdJob { jobs.append((handle(ofJob: $0.id), "\t\($0.retries)\t0\t1")) }
            return .text(listing(jobs.sorted { $0.handle < $1.handle }.map { $0.handle + $0.line }))
        case .showUniqueJobs:
            var jobs = jobsByHandle.values.filter { $0.coalescingKey != nil }.map { (unique: $0.unique.string, handle: $0.handle.string) }
            forEachColdJob { stored in
                if Self.coalescingKey(unique: stored.unique, payload: stored.payload) != nil {
                    jobs.append((stored.unique.string, handle(ofJob: stored.id)))
                }
            }
            return .text(listing(jobs.sorted { $0.handle < $1.handle }.map { "\($0.unique)\t\($0.handle)" }))
        case .cancelJob(let handle):
            if let stored = coldJob(handle: handle) {
                keepCancellation(of: stored)
                cancelCold(stored)
                return .text(Self.ok)
            }
            guard let job = jobsByHandle[ByteBuffer(string: handle)], job.state == .queued || job.state == .scheduled else {
                return .text("ERR UNKNOWN_JOB\r\n")
            }
            for client in job.clients { send(client, .workFail, job.handle) }
            keepOutcome(of: job, .cancelled)
            remove(job)
            return .text(Self.ok)
        case .createFunction(let name):
            _ = function(named: ByteBuffer(string: name))
            return .text(Self.ok)
        case .dropFunction(let name):
            guard let function = functions[ByteBuffer(string: name)] else { return .text("ERR function not found\r\n") }
            guard function.workerCount == 0, function.runningCount == 0 else {
                return .text("ERR there are still connected workers or executing clients\r\n")
            }
            // Improvement over gearmand, which drops queued jobs with the function: never lose a job.
            guard function.totalJobs == 0 else { return .text("ERR there are still queued jobs\r\n") }
            functions[function.name] = nil
            return .text(Self.ok)
        case .result(let handle):
            return result(ofHandle: handle, for: connection)
        case .acl(let command):
            return .text(response(to: command, from: connection))
        case .invalidArguments(let word):
            return .text("ERR INVALID_ARGUMENTS An+incomplete+set+of+arguments+was+sent+to+this+command+\(word)\r\n")
        case .unknown(let word):
            return .text("ERR UNKNOWN_COMMAND Unknown+server+command\(word.isEmpty ? "NULL" : word)\r\n")
        }
    }

    static let ok = "OK\r\n"

    /// An admin command's answer: ready now, or once the queue store has been read.
    enum AdminAnswer {
        case text(String)
        case later(EventLoopFuture<String>)
    }

    private var sortedFunctions: [FunctionQueue] { functions.values.sorted { $0.displayName < $1.displayName } }

    private func listing(_ lines: [String]) -> String {
        lines.map { $0 + "\n" }.joined() + ".\n"
    }
}
