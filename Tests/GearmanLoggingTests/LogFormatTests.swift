import Foundation
import Logging
import Testing

@testable import GearmanLogging

@Suite struct LogFormatTests {
    /// 2024-03-05 06:07:08.009 local time.
    private let time: LogTime = {
        var parts = tm()
        parts.tm_year = 124
        parts.tm_mon = 2
        parts.tm_mday = 5
        parts.tm_hour = 6
        parts.tm_min = 7
        parts.tm_sec = 8
        parts.tm_isdst = -1
        return LogTime(seconds: Int(mktime(&parts)), nanoseconds: 9_500_000)
    }()

    private func record(_ level: Logger.Level = .warning, message: String = "queue full") -> LogRecord {
        LogRecord(time: time, level: level, loggerName: "gear.Server", message: message, file: "GearmanServer/Scheduler.swift", function: "submit(_:)", line: 42)
    }

    @Test func seedFormatWithDefaultDate() throws {
        let format = try LogFormat("%(asctime)s %(levelname)s %(name)s: %(message)s", dateFormat: "")
        #expect(format.render(record()) == "2024-03-05 06:07:08,009 WARNING gear.Server: queue full")
    }

    @Test func dateFormatWidthsAndFlags() throws {
        let format = try LogFormat("[%(asctime)s.%(msecs)03d] %(levelname)-8s|%(levelno)5d|%(name).4s|%(lineno)s %%", dateFormat: "%d/%m %H:%M:%S")
        #expect(format.render(record(.info)) == "[05/03 06:07:08.009] INFO    |   20|gear|42 %")
    }

    @Test func sourceLocationFields() throws {
        let format = try LogFormat("%(filename)s %(module)s %(funcName)s %(pathname)r")
        #expect(format.render(record()) == "Scheduler.swift Scheduler submit(_:) 'GearmanServer/Scheduler.swift'")
    }

    @Test func numbersFormatAsPythonDoes() throws {
        let format = try LogFormat("%(created)f %(msecs)s %(process)d")
        let created = String(format: "%.6f", time.secondsSince1970)
        #expect(format.render(record()) == "\(created) 9.0 \(getpid())")
    }
}
