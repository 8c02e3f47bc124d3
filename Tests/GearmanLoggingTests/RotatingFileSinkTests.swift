import Foundation
import Testing

@testable import GearmanLogging

@Suite struct RotatingFileSinkTests {
    /// Local time on 2024-03-`day` at `hour`:00.
    private func localTime(day: Int32, hour: Int32) -> LogTime {
        var parts = tm()
        parts.tm_year = 124
        parts.tm_mon = 2
        parts.tm_mday = day
        parts.tm_hour = hour
        parts.tm_isdst = -1
        return LogTime(seconds: Int(mktime(&parts)), nanoseconds: 0)
    }

    @Test func midnightRotationKeepsBackupCountFiles() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("info.log")
        let sink = try RotatingFileSink(path: path, rotation: .init(unit: .midnight), backupCount: 2, utc: false, now: localTime(day: 1, hour: 12))
        sink.write("day 1 noon", at: localTime(day: 1, hour: 12))
        sink.write("day 1 late", at: localTime(day: 1, hour: 23))
        sink.write("day 2", at: localTime(day: 2, hour: 0))
        sink.write("day 3", at: localTime(day: 3, hour: 9))
        sink.write("day 5", at: localTime(day: 5, hour: 1))
        // Four files were started; the oldest rotated one (day 1) is beyond backupCount.
        #expect(directory.contents() == ["info.log", "info.log.2024-03-02", "info.log.2024-03-03"])
        #expect(directory.lines(of: "info.log.2024-03-02") == ["day 2"])
        #expect(directory.lines(of: "info.log.2024-03-03") == ["day 3"])
        #expect(directory.lines(of: "info.log") == ["day 5"])
    }

    @Test func existingFileRotatesByItsModificationTime() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("debug.log")
        try "from the day before\n".write(toFile: path, atomically: false, encoding: .utf8)
        let yesterday = localTime(day: 9, hour: 15)
        var times = [timespec(tv_sec: yesterday.seconds, tv_nsec: 0), timespec(tv_sec: yesterday.seconds, tv_nsec: 0)]
        #expect(utimensat(AT_FDCWD, path, &times, 0) == 0)
        let sink = try RotatingFileSink(path: path, rotation: .init(unit: .midnight), backupCount: 0, utc: false, now: localTime(day: 10, hour: 8))
        sink.write("today", at: localTime(day: 10, hour: 8))
        #expect(directory.lines(of: "debug.log.2024-03-09") == ["from the day before"])
        #expect(directory.lines(of: "debug.log") == ["today"])
    }

    @Test func hourlyRotationNamesThePeriodStart() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let start = localTime(day: 1, hour: 10)
        let sink = try RotatingFileSink(path: directory.file("h.log"), rotation: .init(unit: .hours, interval: 2), backupCount: 0, utc: false, now: start)
        sink.write("first", at: start)
        sink.write("second", at: localTime(day: 1, hour: 12))
        #expect(directory.contents() == ["h.log", "h.log.2024-03-01_10"])
    }
}
