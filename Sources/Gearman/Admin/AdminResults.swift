/// One line of `status`: a function's queue.
public struct FunctionStatus: Sendable, Hashable, Codable {
    public var function: String
    /// Jobs queued or running.
    public var total: Int
    public var running: Int
    /// Connected workers that can do the function.
    public var workers: Int

    public init(function: String, total: Int, running: Int, workers: Int) {
        self.function = function
        self.total = total
        self.running = running
        self.workers = workers
    }

    /// Parses `FUNCTION\tTOTAL\tRUNNING\tWORKERS`.
    init?(line: String) {
        let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
        guard fields.count >= 4, let total = Int(fields[1]), let running = Int(fields[2]), let workers = Int(fields[3]) else { return nil }
        self.init(function: String(fields[0]), total: total, running: running, workers: workers)
    }
}

/// One line of `workers`: a connection and the functions it registered.
public struct WorkerStatus: Sendable, Hashable, Codable {
    public var fileDescriptor: Int
    public var address: String
    /// The SET_CLIENT_ID value, `-` if none.
    public var clientID: String
    public var functions: [String]

    public init(fileDescriptor: Int, address: String, clientID: String, functions: [String]) {
        self.fileDescriptor = fileDescriptor
        self.address = address
        self.clientID = clientID
        self.functions = functions
    }

    /// Parses `FD ADDRESS CLIENT-ID : FUNCTION ...`.
    init?(line: String) {
        let words = line.split(separator: " ").map(String.init)
        guard words.count >= 4, words[3] == ":", let fd = Int(words[0]) else { return nil }
        self.init(fileDescriptor: fd, address: words[1], clientID: words[2], functions: Array(words.dropFirst(4)))
    }
}

/// One line of `show jobs`.
public struct QueuedJob: Sendable, Hashable, Codable {
    public var handle: String
    public var retries: Int
    public var ignored: Bool
    public var queued: Bool

    public init(handle: String, retries: Int, ignored: Bool, queued: Bool) {
        self.handle = handle
        self.retries = retries
        self.ignored = ignored
        self.queued = queued
    }

    /// Parses `HANDLE\tRETRIES\tIGNORE\tQUEUED`.
    init?(line: String) {
        let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
        guard fields.count >= 4, let retries = Int(fields[1]) else { return nil }
        self.init(handle: String(fields[0]), retries: retries, ignored: fields[2] != "0", queued: fields[3] != "0")
    }
}
