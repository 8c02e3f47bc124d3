import NIOCore

/// A command of the text admin protocol, as sent on the job server's port.
///
/// ```swift
/// let command = AdminCommand(parsing: ByteBuffer(string: "show jobs"))  // .showJobs
/// ```
public enum AdminCommand: Sendable, Hashable {
    case status
    case priorityStatus
    case workers
    case version
    case getpid
    case verbose
    /// `maxqueue FUNC [N | HIGH NORMAL LOW]`; `nil` limits reset to unlimited.
    case maxQueue(function: String, limits: [Int]?)
    case shutdown(graceful: Bool)
    case showJobs
    case showUniqueJobs
    case cancelJob(handle: String)
    case createFunction(String)
    case dropFunction(String)
    /// `result HANDLE`: the outcome of a background job (a geard extension, see ``JobResultLine``).
    case result(handle: String)
    /// The seed's `acl list|grant|revoke|self-revoke` commands.
    case acl(ACLAdminCommand)
    /// A known command word with arguments that do not fit it.
    case invalidArguments(command: String)
    /// A command word the server does not know (empty for a blank line).
    case unknown(String)

    /// Parses one admin line (without its terminator). Command words are matched case-insensitively.
    public init(parsing line: ByteBuffer) {
        let text = String(decoding: line.readableBytesView, as: UTF8.self)
        let words = text.splitAtBlanks()
        if words.first?.lowercased() == "acl" {
            self = ACLAdminCommand(line: text).map(AdminCommand.acl) ?? .invalidArguments(command: words[0])
            return
        }
        self.init(words: words)
    }

    init(words: [String]) {
        guard let first = words.first else {
            self = .unknown("")
            return
        }
        let command = first.lowercased()
        let arguments = Array(words.dropFirst())
        let lowered = arguments.map { $0.lowercased() }
        switch (command, lowered.count) {
        case ("status", _): self = .status
        case ("prioritystatus", _): self = .priorityStatus
        case ("workers", _): self = .workers
        case ("version", _): self = .version
        case ("getpid", _): self = .getpid
        case ("verbose", _): self = .verbose
        case ("shutdown", 0): self = .shutdown(graceful: false)
        case ("shutdown", 1) where lowered[0] == "graceful": self = .shutdown(graceful: true)
        case ("show", 1) where lowered[0] == "jobs": self = .showJobs
        case ("show", 2) where lowered == ["unique", "jobs"]: self = .showUniqueJobs
        case ("cancel", 2) where lowered[0] == "job": self = .cancelJob(handle: arguments[1])
        case ("create", 2) where lowered[0] == "function": self = .createFunction(arguments[1])
        case ("drop", 2) where lowered[0] == "function": self = .dropFunction(arguments[1])
        case ("result", 1): self = .result(handle: arguments[0])
        case ("maxqueue", 1...4):
            let limits = arguments.dropFirst().map { max(Int($0) ?? 0, 0) }
            self = .maxQueue(function: arguments[0], limits: limits.isEmpty ? nil : limits)
        case ("shutdown", _), ("show", _), ("cancel", _), ("create", _), ("drop", _), ("maxqueue", _), ("result", _):
            self = .invalidArguments(command: first)
        default:
            self = .unknown(first)
        }
    }

    /// The line a client sends for this command, without the terminator.
    public var line: String {
        switch self {
        case .status: "status"
        case .priorityStatus: "prioritystatus"
        case .workers: "workers"
        case .version: "version"
        case .getpid: "getpid"
        case .verbose: "verbose"
        case .maxQueue(let function, let limits):
            (["maxqueue", function] + (limits ?? []).map(String.init)).joined(separator: " ")
        case .shutdown(let graceful): graceful ? "shutdown graceful" : "shutdown"
        case .showJobs: "show jobs"
        case .showUniqueJobs: "show unique jobs"
        case .cancelJob(let handle): "cancel job \(handle)"
        case .createFunction(let name): "create function \(name)"
        case .dropFunction(let name): "drop function \(name)"
        case .result(let handle): "result \(handle)"
        case .acl(let command): command.line
        case .invalidArguments(let command), .unknown(let command): command
        }
    }
}
