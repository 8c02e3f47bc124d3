import ArgumentParser
import NIOCore

/// A duration on the command line: seconds (`3600`), or a number with `s`, `m`, `h` or `d` (`90s`, `15m`,
/// `2h`, `7d`).
struct RetentionDuration {
    let amount: TimeAmount

    private static let unitSeconds: [Character: Int64] = ["s": 1, "m": 60, "h": 3600, "d": 86_400]

    /// Parses `text`, or throws a message naming the accepted forms.
    init(parsing text: String) throws {
        var digits = Substring(text)
        var unit: Int64 = 1
        if let last = text.last, let seconds = Self.unitSeconds[last] {
            digits = digits.dropLast()
            unit = seconds
        }
        // Below a century, so the milliseconds never overflow.
        guard let count = Int64(digits), count > 0, count <= 36_500 * 86_400 / unit else {
            throw ValidationError("'\(text)' is not a duration: expected seconds or a positive number with s, m, h or d (90s, 15m, 2h, 7d)")
        }
        amount = .seconds(count * unit)
    }
}
