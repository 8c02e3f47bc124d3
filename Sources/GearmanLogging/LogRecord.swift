import Foundation
import Logging

/// One message on its way to a handler, with what the format fields need.
struct LogRecord {
    var time: LogTime
    var level: Logger.Level
    var loggerName: String
    /// The message followed by its metadata as ` key=value` pairs, sorted by key.
    var message: String
    var file: String
    var function: String
    var line: UInt

    /// Python's level names; swift-log's `trace` and `notice` keep their own.
    var levelName: String { level.rawValue.uppercased() }

    /// Python's level numbers, `trace` and `notice` between their neighbours.
    var levelNumber: Int {
        switch level {
        case .trace: 5
        case .debug: 10
        case .info: 20
        case .notice: 25
        case .warning: 30
        case .error: 40
        case .critical: 50
        }
    }
}

/// A wall-clock instant with nanoseconds, formatted with `strftime` in local time or UTC.
struct LogTime: Comparable {
    var seconds: Int
    var nanoseconds: Int

    static func now() -> LogTime {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return LogTime(seconds: spec.tv_sec, nanoseconds: spec.tv_nsec)
    }

    var secondsSince1970: Double { Double(seconds) + Double(nanoseconds) / 1e9 }

    static func < (lhs: LogTime, rhs: LogTime) -> Bool {
        (lhs.seconds, lhs.nanoseconds) < (rhs.seconds, rhs.nanoseconds)
    }

    /// Broken-down calendar time.
    func components(utc: Bool) -> tm {
        var time = time_t(seconds)
        var parts = tm()
        if utc { gmtime_r(&time, &parts) } else { localtime_r(&time, &parts) }
        return parts
    }

    /// `strftime(format)`; an empty format gives Python's default `%Y-%m-%d %H:%M:%S,mmm`.
    func formatted(_ format: String, utc: Bool) -> String {
        var parts = components(utc: utc)
        let pattern = format.isEmpty ? "%Y-%m-%d %H:%M:%S" : format
        var buffer = [CChar](repeating: 0, count: 256)
        let count = strftime(&buffer, buffer.count, pattern, &parts)
        let text = String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return format.isEmpty ? text + "," + String(format: "%03d", nanoseconds / 1_000_000) : text
    }
}
