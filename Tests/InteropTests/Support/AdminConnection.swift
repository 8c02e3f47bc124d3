#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A blocking connection speaking the text admin protocol (`status`, `workers`, `version`...).
/// Used by the harness to see when a server answers and when workers have registered.
final class AdminConnection {
    private let fd: Int32
    private var buffer: [UInt8] = []

    /// Connects to 127.0.0.1:`port`; every read gives up after `timeoutSeconds`.
    init(port: Int, timeoutSeconds: Int = 5) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw InteropError("socket() failed: errno \(errno)") }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        let connected = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
        guard connected else {
            close(fd)
            throw InteropError("connect to 127.0.0.1:\(port) failed: errno \(errno)")
        }
    }

    deinit {
        close(fd)
    }

    /// Sends `command` and returns its one-line answer (`version`, `getpid`, `maxqueue`...).
    func line(_ command: String) throws -> String {
        try send(command)
        return try readLine()
    }

    /// Sends `command` and returns the lines of its answer up to the closing `.` line.
    func list(_ command: String) throws -> [String] {
        try send(command)
        var lines: [String] = []
        while true {
            let line = try readLine()
            if line == "." { return lines }
            lines.append(line)
        }
    }

    private func send(_ command: String) throws {
        let bytes = Array((command + "\n").utf8)
        let written = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        guard written == bytes.count else { throw InteropError("admin send of '\(command)' failed: errno \(errno)") }
    }

    private func readLine() throws -> String {
        while true {
            if let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: buffer[..<newline], as: UTF8.self)
                buffer.removeSubrange(...newline)
                return line.hasSuffix("\r") ? String(line.dropLast()) : line
            }
            var chunk = [UInt8](repeating: 0, count: 4096)
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { throw InteropError("admin connection closed or timed out (errno \(errno))") }
            buffer.append(contentsOf: chunk[..<count])
        }
    }
}

/// One line of the admin `status` answer: `FUNCTION\tTOTAL\tRUNNING\tWORKERS`.
struct FunctionStatus: Equatable {
    let function: String
    let total: Int
    let running: Int
    let workers: Int

    init?(line: String) {
        let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
        guard fields.count == 4, let total = Int(fields[1]), let running = Int(fields[2]), let workers = Int(fields[3])
        else { return nil }
        function = String(fields[0])
        self.total = total
        self.running = running
        self.workers = workers
    }
}
