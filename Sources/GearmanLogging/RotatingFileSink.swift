import Foundation
import NIOConcurrencyHelpers

/// `TimedRotatingFileHandler`: when a record's time reaches the rollover time, the file is renamed to
/// `path.<period start>` (`%Y-%m-%d` for days and midnight, `_%H`, `_%H-%M`, `_%H-%M-%S` added for hours,
/// minutes, seconds), a new file is started, and only the newest `backupCount` renamed files are kept
/// (0: all). As in Python, the first rollover is computed from the file's modification time when it exists,
/// so a file left from yesterday is rotated by the first line written today.
final class RotatingFileSink: LogSink {
    private struct State {
        var writer: LineWriter?
        /// Seconds since 1970 at which the next line starts a new file.
        var rolloverAt: Int
    }

    let path: String
    let rotation: RotationSchedule
    let backupCount: Int
    let utc: Bool
    private let state: NIOLockedValueBox<State>

    init(path: String, rotation: RotationSchedule, backupCount: Int, utc: Bool, now: LogTime) throws {
        self.path = path
        self.rotation = rotation
        self.backupCount = backupCount
        self.utc = utc
        var status = stat()
        let start = stat(path, &status) == 0 ? status.st_mtim.tv_sec : now.seconds
        let writer = try LineWriter.open(path, append: true)
        state = NIOLockedValueBox(State(writer: writer, rolloverAt: 0))
        let rolloverAt = nextRollover(after: start)
        state.withLockedValue { $0.rolloverAt = rolloverAt }
    }

    func write(_ line: String, at time: LogTime) {
        state.withLockedValue { state in
            if time.seconds >= state.rolloverAt {
                state.writer?.close()
                state.writer = nil
                rename(path, path + "." + suffix(forPeriodEndingAt: state.rolloverAt))
                removeOldBackups()
                state.rolloverAt = nextRollover(after: time.seconds)
            }
            if state.writer == nil { state.writer = try? LineWriter.open(path, append: true) }
            state.writer?.write(line)
        }
    }

    /// The first rollover time strictly after `time`.
    func nextRollover(after time: Int) -> Int {
        switch rotation.unit {
        case .seconds: time + rotation.interval
        case .minutes: time + rotation.interval * 60
        case .hours: time + rotation.interval * 3600
        case .days: time + rotation.interval * 86_400
        case .midnight: midnight(of: time, addingDays: rotation.interval)
        }
    }

    /// The `strftime` pattern of rotated names, and a pattern of the same shape for recognising them.
    private var suffixFormat: (strftime: String, shape: String) {
        switch rotation.unit {
        case .seconds: ("%Y-%m-%d_%H-%M-%S", "0000-00-00_00-00-00")
        case .minutes: ("%Y-%m-%d_%H-%M", "0000-00-00_00-00")
        case .hours: ("%Y-%m-%d_%H", "0000-00-00_00")
        case .days, .midnight: ("%Y-%m-%d", "0000-00-00")
        }
    }

    private func suffix(forPeriodEndingAt end: Int) -> String {
        let start =
            switch rotation.unit {
            case .midnight: midnight(of: end - 1, addingDays: 1 - rotation.interval)
            default: end - nextRollover(after: 0)  // one interval back
            }
        return LogTime(seconds: start, nanoseconds: 0).formatted(suffixFormat.strftime, utc: utc)
    }

    /// Midnight at the start of the day `days` after the day of `time` (local time unless `utc`), DST-safe.
    private func midnight(of time: Int, addingDays days: Int) -> Int {
        var parts = LogTime(seconds: time, nanoseconds: 0).components(utc: utc)
        parts.tm_hour = 0
        parts.tm_min = 0
        parts.tm_sec = 0
        parts.tm_mday += Int32(days)
        parts.tm_isdst = -1
        return Int(utc ? timegm(&parts) : mktime(&parts))
    }

    /// Deletes the oldest rotated files beyond `backupCount`.
    private func removeOldBackups() {
        guard backupCount > 0 else { return }
        let directory = (path as NSString).deletingLastPathComponent
        let prefix = (path as NSString).lastPathComponent + "."
        let shape = suffixFormat.shape
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.isEmpty ? "." : directory)) ?? []
        let backups = names.filter { name in
            guard name.hasPrefix(prefix) else { return false }
            let suffix = name.dropFirst(prefix.count)
            return suffix.count == shape.count
                && zip(suffix, shape).allSatisfy { $1 == "0" ? ($0.isASCII && $0.isNumber) : $0 == $1 }
        }.sorted()
        for name in backups.dropLast(backupCount) {
            unlink(directory.isEmpty ? name : directory + "/" + name)
        }
    }
}
