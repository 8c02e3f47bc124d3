import Foundation
import NIOConcurrencyHelpers

/// Where formatted lines go. Implementations serialise their writes; a line is written whole or not at all.
protocol LogSink: Sendable {
    /// Writes `line` and a newline; `time` is the record's, so time-based rotation follows the records.
    func write(_ line: String, at time: LogTime)
}

struct LogFileError: Error, CustomStringConvertible {
    let path: String
    let errno: Int32
    var description: String { "cannot open log file \(path): \(String(cString: strerror(errno)))" }
}

/// A file descriptor that writes whole lines.
struct LineWriter {
    let descriptor: Int32

    static func open(_ path: String, append: Bool) throws -> LineWriter {
        let descriptor = Foundation.open(path, O_WRONLY | O_CREAT | O_CLOEXEC | (append ? O_APPEND : O_TRUNC), 0o644)
        guard descriptor >= 0 else { throw LogFileError(path: path, errno: errno) }
        return LineWriter(descriptor: descriptor)
    }

    /// Writes until done; a failing write (disk full, closed stream) drops the rest of the line.
    func write(_ line: String) {
        var bytes = Array(line.utf8)
        bytes.append(UInt8(ascii: "\n"))
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = Foundation.write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0, errno == EINTR { continue }
                guard written > 0 else { return }
                offset += written
            }
        }
    }

    func close() { _ = Foundation.close(descriptor) }
}

/// Standard output or error (`StreamHandler`), or a file opened once (`FileHandler`).
final class DescriptorSink: LogSink {
    private let writer: NIOLockedValueBox<LineWriter>

    init(_ writer: LineWriter) {
        self.writer = NIOLockedValueBox(writer)
    }

    func write(_ line: String, at time: LogTime) {
        writer.withLockedValue { $0.write(line) }
    }
}
