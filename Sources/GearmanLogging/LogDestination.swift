/// Where a handler writes: the supported Python handler classes with their arguments.
public enum LogDestination: Sendable, Equatable {
    /// `StreamHandler(sys.stdout)`.
    case standardOutput
    /// `StreamHandler()` or `StreamHandler(sys.stderr)`.
    case standardError
    /// `FileHandler(filename, mode)`; `append` is mode `'a'` (the default), otherwise `'w'`.
    case file(path: String, append: Bool)
    /// `TimedRotatingFileHandler(filename, when, interval, backupCount, utc=...)`.
    case rotatingFile(path: String, rotation: RotationSchedule, backupCount: Int, utc: Bool)

    struct Unsupported: Error, CustomStringConvertible {
        let description: String
    }

    init(handlerClass: String, arguments: HandlerArguments) throws {
        switch handlerClass {
        case "StreamHandler", "logging.StreamHandler":
            let bound = try arguments.bind(["stream"])
            switch bound["stream"] ?? .null {
            case .null, .standardError: self = .standardError
            case .standardOutput: self = .standardOutput
            case let other: throw Unsupported(description: "stream \(other) is not supported, only sys.stdout or sys.stderr")
            }
        case "FileHandler", "logging.FileHandler":
            let bound = try arguments.bind(["filename", "mode", "encoding", "delay", "errors"])
            try Self.checkDefaults(bound)
            let mode = try bound.string("mode") ?? "a"
            guard mode == "a" || mode == "w" else { throw Unsupported(description: "mode '\(mode)' is not supported, only 'a' or 'w'") }
            self = .file(path: try bound.requiredString("filename"), append: mode == "a")
        case "handlers.TimedRotatingFileHandler", "logging.handlers.TimedRotatingFileHandler":
            let bound = try arguments.bind(["filename", "when", "interval", "backupCount", "encoding", "delay", "utc", "atTime", "errors"])
            try Self.checkDefaults(bound)
            if let atTime = bound["atTime"], atTime != .null { throw Unsupported(description: "atTime is not supported") }
            let interval = try bound.integer("interval") ?? 1
            guard interval >= 1 else { throw Unsupported(description: "interval must be at least 1") }
            let when = try bound.string("when") ?? "h"
            guard let unit = RotationSchedule.Unit(pythonWhen: when) else {
                throw Unsupported(description: "when '\(when)' is not supported (S, M, H, D or midnight)")
            }
            let backupCount = try bound.integer("backupCount") ?? 0
            guard backupCount >= 0 else { throw Unsupported(description: "backupCount must not be negative") }
            self = .rotatingFile(
                path: try bound.requiredString("filename"), rotation: RotationSchedule(unit: unit, interval: interval),
                backupCount: backupCount, utc: try bound.bool("utc") ?? false
            )
        default:
            throw Unsupported(
                description: "handler class '\(handlerClass)' is not supported (StreamHandler, FileHandler, handlers.TimedRotatingFileHandler)"
            )
        }
    }

    /// Options of the file handlers that are accepted only with their default meaning.
    private static func checkDefaults(_ bound: [String: PythonLiteral]) throws {
        if let encoding = try bound.string("encoding"), !["utf-8", "utf8", "UTF-8"].contains(encoding) {
            throw Unsupported(description: "encoding '\(encoding)' is not supported, only utf-8")
        }
        if try bound.bool("delay") == true { throw Unsupported(description: "delay=True is not supported") }
        if let errors = bound["errors"], errors != .null { throw Unsupported(description: "errors is not supported") }
    }
}

/// When a `TimedRotatingFileHandler` starts a new file.
public struct RotationSchedule: Sendable, Equatable {
    public enum Unit: Sendable, Equatable {
        case seconds, minutes, hours, days
        /// At midnight, every `interval` days.
        case midnight

        init?(pythonWhen: String) {
            switch pythonWhen.uppercased() {
            case "S": self = .seconds
            case "M": self = .minutes
            case "H": self = .hours
            case "D": self = .days
            case "MIDNIGHT": self = .midnight
            default: return nil
            }
        }
    }

    public var unit: Unit
    public var interval: Int

    public init(unit: Unit, interval: Int = 1) {
        self.unit = unit
        self.interval = interval
    }
}

/// A handler's `args` and `kwargs`, bound to parameter names as a Python call binds them.
struct HandlerArguments {
    let positional: [PythonLiteral]
    let keywords: [(key: String, value: PythonLiteral)]

    func bind(_ parameters: [String]) throws -> [String: PythonLiteral] {
        guard positional.count <= parameters.count else {
            throw LogDestination.Unsupported(description: "too many arguments: \(positional.count), at most \(parameters.count)")
        }
        var bound = Dictionary(uniqueKeysWithValues: zip(parameters, positional))
        for (key, value) in keywords {
            guard parameters.contains(key) else { throw LogDestination.Unsupported(description: "argument '\(key)' is not supported") }
            guard bound.updateValue(value, forKey: key) == nil else {
                throw LogDestination.Unsupported(description: "argument '\(key)' given twice")
            }
        }
        return bound
    }
}

extension [String: PythonLiteral] {
    func string(_ key: String) throws -> String? {
        switch self[key] {
        case nil, .null?: return nil
        case .string(let text)?: return text
        case let other?: throw LogDestination.Unsupported(description: "\(key) must be a string, not \(other)")
        }
    }

    func requiredString(_ key: String) throws -> String {
        guard let text = try string(key), !text.isEmpty else { throw LogDestination.Unsupported(description: "\(key) is missing") }
        return text
    }

    func integer(_ key: String) throws -> Int? {
        switch self[key] {
        case nil, .null?: return nil
        case .number(let value)? where value == value.rounded(): return Int(value)
        case let other?: throw LogDestination.Unsupported(description: "\(key) must be an integer, not \(other)")
        }
    }

    func bool(_ key: String) throws -> Bool? {
        switch self[key] {
        case nil, .null?: return nil
        case .bool(let value)?: return value
        case .number(let value)?: return value != 0
        case let other?: throw LogDestination.Unsupported(description: "\(key) must be True or False, not \(other)")
        }
    }
}
