import Foundation
import Testing

@testable import GearmanServer

@Suite struct CronScheduleTests {
    private let utc: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()

    /// 2026-11-25 18:30:20 UTC, a Wednesday.
    private let now: Int64 = 1_795_631_420

    private func next(_ fields: [String]) -> Date? {
        CronSchedule(fields: fields)?.nextRun(after: now, calendar: utc).map { Date(timeIntervalSince1970: TimeInterval($0)) }
    }

    private func date(_ text: String) -> Date {
        let formatter = ISO8601DateFormatter()
        return formatter.date(from: text)!
    }

    @Test func everyFieldEmptyMeansTheNextMinute() {
        #expect(next(["", "", "", "", ""]) == date("2026-11-25T18:31:00Z"))
        #expect(next(["*", "*", "*", "*", "*"]) == date("2026-11-25T18:31:00Z"))
    }

    @Test func minuteAndHour() {
        #expect(next(["15", "", "", "", ""]) == date("2026-11-25T19:15:00Z"))
        #expect(next(["0", "3", "", "", ""]) == date("2026-11-26T03:00:00Z"))
    }

    @Test func dayMonthAndWeekday() {
        #expect(next(["0", "0", "1", "1", ""]) == date("2027-01-01T00:00:00Z"))
        #expect(next(["30", "9", "", "", "1"]) == date("2026-11-30T09:30:00Z"))  // next Monday
        #expect(next(["0", "12", "29", "2", ""]) == date("2028-02-29T12:00:00Z"))
    }

    @Test func outOfRangeFieldsAreRejected() {
        #expect(CronSchedule(fields: ["60", "", "", "", ""]) == nil)
        #expect(CronSchedule(fields: ["", "24", "", "", ""]) == nil)
        #expect(CronSchedule(fields: ["", "", "0", "", ""]) == nil)
        #expect(CronSchedule(fields: ["", "", "", "13", ""]) == nil)
        #expect(CronSchedule(fields: ["x", "", "", "", ""]) == nil)
        #expect(CronSchedule(fields: ["", "", "", ""]) == nil)
    }

    @Test func impossibleDateNeverMatches() {
        #expect(next(["0", "0", "31", "2", ""]) == nil)
    }
}
