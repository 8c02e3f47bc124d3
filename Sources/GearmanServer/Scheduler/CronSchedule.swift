import Foundation

/// The minute/hour/day/month/weekday fields of SUBMIT_JOB_SCHED, as in a crontab line.
///
/// Each field is a number or empty (or `*`) for "any". As in cron, when both day of month and day of week are
/// given, a day matching either runs the job.
struct CronSchedule: Equatable {
    var minute: Int?
    var hour: Int?
    var dayOfMonth: Int?
    var month: Int?
    /// 0 (or 7) is Sunday.
    var dayOfWeek: Int?

    /// Parses the five fields in packet order; `nil` when one is not a number in its range.
    init?(fields: [String]) {
        guard fields.count == 5 else { return nil }
        func parse(_ text: String, _ range: ClosedRange<Int>) -> Int?? {
            let trimmed = text.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed == "*" { return .some(nil) }
            guard let value = Int(trimmed), range.contains(value) else { return nil }
            return .some(value)
        }
        guard let minute = parse(fields[0], 0...59), let hour = parse(fields[1], 0...23),
            let dayOfMonth = parse(fields[2], 1...31), let month = parse(fields[3], 1...12),
            let dayOfWeek = parse(fields[4], 0...7)
        else { return nil }
        self.minute = minute
        self.hour = hour
        self.dayOfMonth = dayOfMonth
        self.month = month
        self.dayOfWeek = dayOfWeek.map { $0 % 7 }
    }

    /// The first whole minute strictly after `now` (seconds since 1970) that matches, within eight years.
    func nextRun(after now: Int64, calendar: Calendar = .current) -> Int64? {
        var date = Date(timeIntervalSince1970: TimeInterval((now / 60 + 1) * 60))
        let limit = date.addingTimeInterval(8 * 366 * 86_400)
        while date < limit {
            let parts = calendar.dateComponents([.month, .day, .weekday, .hour, .minute], from: date)
            if let month, parts.month != month {
                date = calendar.nextDate(after: date, matching: DateComponents(day: 1, hour: 0, minute: 0), matchingPolicy: .nextTime) ?? limit
            } else if !dayMatches(day: parts.day!, weekday: parts.weekday! - 1) {
                date = calendar.nextDate(after: date, matching: DateComponents(hour: 0, minute: 0), matchingPolicy: .nextTime) ?? limit
            } else if let hour, parts.hour != hour {
                date = calendar.nextDate(after: date, matching: DateComponents(minute: 0), matchingPolicy: .nextTime) ?? limit
            } else if let minute, parts.minute != minute {
                date = date.addingTimeInterval(60)
            } else {
                return Int64(date.timeIntervalSince1970)
            }
        }
        return nil
    }

    private func dayMatches(day: Int, weekday: Int) -> Bool {
        switch (dayOfMonth, dayOfWeek) {
        case (nil, nil): true
        case (let mday?, nil): day == mday
        case (nil, let wday?): weekday == wday
        case (let mday?, let wday?): day == mday || weekday == wday
        }
    }
}
