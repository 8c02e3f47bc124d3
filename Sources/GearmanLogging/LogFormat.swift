import Foundation

/// A Python logging `format` (`%`-style, e.g. `%(asctime)s %(levelname)-8s %(name)s: %(message)s`) and its
/// `datefmt`, parsed once; fields outside the supported set are refused when parsing.
///
/// Supported fields: `asctime`, `created`, `msecs`, `levelname`, `levelno`, `name`, `message`, `process`,
/// `pathname`, `filename`, `module`, `funcName`, `lineno`; conversions `s`, `d`, `i`, `f`, `r` with Python's
/// flags (`-`, `0`), width and precision. An empty `datefmt` gives Python's default `2024-01-31 23:59:59,123`.
public struct LogFormat: Sendable, Equatable {
    enum Field: String, CaseIterable {
        case asctime, created, msecs, levelname, levelno, name, message, process, pathname, filename, module, funcName, lineno

        var isNumeric: Bool { [.created, .msecs, .levelno, .process, .lineno].contains(self) }
    }

    struct Conversion: Equatable {
        var leftAligned = false
        var zeroPadded = false
        var width = 0
        var precision: Int?
        var type: Character = "s"
    }

    enum Segment: Equatable {
        case literal(String)
        case field(Field, Conversion)
    }

    public struct Error: Swift.Error, CustomStringConvertible, Equatable {
        public let description: String
    }

    let segments: [Segment]
    /// strftime format for `asctime`; empty for Python's default with milliseconds.
    let dateFormat: String

    /// `%(asctime)s %(levelname)s %(name)s: %(message)s` with the default date format.
    public static let standard = try! LogFormat("%(asctime)s %(levelname)s %(name)s: %(message)s")
    /// `%(message)s`: Python's format when a handler names no formatter.
    public static let messageOnly = try! LogFormat("%(message)s")

    public init(_ format: String, dateFormat: String = "") throws(Error) {
        self.dateFormat = dateFormat
        var segments: [Segment] = []
        var literal = ""
        var characters = format[...]
        while let character = characters.popFirst() {
            guard character == "%" else {
                literal.append(character)
                continue
            }
            if characters.first == "%" {
                characters.removeFirst()
                literal.append("%")
                continue
            }
            guard characters.popFirst() == "(", let close = characters.firstIndex(of: ")") else {
                throw Error(description: "'%' must be followed by '(field)' or '%' in '\(format)'")
            }
            let name = String(characters[..<close])
            characters = characters[characters.index(after: close)...]
            guard let field = Field(rawValue: name) else {
                throw Error(description: "format field '\(name)' is not supported (\(Field.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            let conversion = try Self.conversion(&characters, field: field)
            if !literal.isEmpty { segments.append(.literal(literal)) }
            literal = ""
            segments.append(.field(field, conversion))
        }
        if !literal.isEmpty { segments.append(.literal(literal)) }
        self.segments = segments
    }

    /// Flags, width, precision and type after `%(field)`.
    private static func conversion(_ characters: inout Substring, field: Field) throws(Error) -> Conversion {
        var conversion = Conversion()
        while let flag = characters.first, flag == "-" || flag == "0" || flag == " " || flag == "+" {
            if flag == "-" { conversion.leftAligned = true }
            if flag == "0" { conversion.zeroPadded = true }
            characters.removeFirst()
        }
        let width = characters.prefix { $0.isASCII && $0.isNumber }
        characters.removeFirst(width.count)
        conversion.width = Int(width) ?? 0
        if characters.first == "." {
            characters.removeFirst()
            let precision = characters.prefix { $0.isASCII && $0.isNumber }
            characters.removeFirst(precision.count)
            conversion.precision = Int(precision) ?? 0
        }
        guard let type = characters.popFirst(), "sdifr".contains(type) else {
            throw Error(description: "field '\(field.rawValue)' needs a conversion: s, d, i, f or r")
        }
        if "dif".contains(type), !field.isNumeric {
            throw Error(description: "field '\(field.rawValue)' is text and cannot be formatted with %\(type)")
        }
        conversion.type = type
        return conversion
    }

    /// The formatted line, without a trailing newline.
    func render(_ record: LogRecord) -> String {
        var line = ""
        for segment in segments {
            switch segment {
            case .literal(let text): line += text
            case .field(let field, let conversion): line += Self.pad(value(of: field, in: record, conversion), conversion)
            }
        }
        return line
    }

    private func value(of field: Field, in record: LogRecord, _ conversion: Conversion) -> String {
        let text: String
        switch field {
        case .asctime: text = record.time.formatted(dateFormat, utc: false)
        case .created: return Self.number(record.time.secondsSince1970, isInteger: false, conversion)
        case .msecs: return Self.number(Double(record.time.nanoseconds / 1_000_000), isInteger: false, conversion)
        case .levelname: text = record.levelName
        case .levelno: return Self.number(Double(record.levelNumber), conversion)
        case .name: text = record.loggerName
        case .message: text = record.message
        case .process: return Self.number(Double(getpid()), conversion)
        case .pathname: text = record.file
        case .filename: text = String(record.file.split(separator: "/").last ?? "")
        case .module: text = String((record.file.split(separator: "/").last ?? "").split(separator: ".").first ?? "")
        case .funcName: text = record.function
        case .lineno: return Self.number(Double(record.line), conversion)
        }
        let quoted = conversion.type == "r" ? "'\(text)'" : text
        return conversion.precision.map { String(quoted.prefix($0)) } ?? quoted
    }

    /// A number as Python's `%` formats it: `s` and `r` give `str()` (integers without a fraction).
    private static func number(_ value: Double, isInteger: Bool = true, _ conversion: Conversion) -> String {
        switch conversion.type {
        case "d", "i": String(Int(value.rounded(.towardZero)))
        case "f": String(format: "%.\(conversion.precision ?? 6)f", value)
        default: isInteger ? String(Int(value)) : (value == value.rounded() ? "\(Int(value)).0" : String(value))
        }
    }

    private static func pad(_ text: String, _ conversion: Conversion) -> String {
        let missing = conversion.width - text.count
        guard missing > 0 else { return text }
        if conversion.leftAligned { return text + String(repeating: " ", count: missing) }
        let zero = conversion.zeroPadded && conversion.type != "s" && conversion.type != "r"
        if zero, text.hasPrefix("-") { return "-" + String(repeating: "0", count: missing) + text.dropFirst() }
        return String(repeating: zero ? "0" : " ", count: missing) + text
    }
}
