import Foundation

/// A pidfile: refused when it names a live process, replaced when its process is gone.
struct PIDFile: Sendable {
    let path: String

    struct AlreadyRunning: Error, CustomStringConvertible {
        let path: String
        let pid: Int32
        var description: String { "pidfile \(path) names running process \(pid)" }
    }

    func write() throws {
        if let text = try? String(contentsOfFile: path, encoding: .utf8),
            let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)), pid != getpid(), kill(pid, 0) == 0
        {
            throw AlreadyRunning(path: path, pid: pid)
        }
        try "\(getpid())\n".write(toFile: path, atomically: true, encoding: .utf8)
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}
