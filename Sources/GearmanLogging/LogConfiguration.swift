import Foundation
import Logging

/// A logging setup in the INI format of Python's `logging.config.fileConfig`, as `geard --log-config` reads it.
///
/// Loggers form Python's dotted hierarchy (`gear.Server` is a child of `gear`, every logger a child of the
/// root); a message is filtered by its logger's effective level, then offered to the handlers of the logger
/// and of its ancestors (up to one with `propagate=0`), each filtering by its own level.
///
/// Whatever the file asks for that cannot be honoured (an unknown option, handler class or format field)
/// is an error, so a wrong configuration fails at start instead of losing log lines.
///
/// ```swift
/// let configuration = try LogConfiguration(contentsOfFile: "/etc/gear/logging.config")
/// let outputs = try LogOutputs(configuration)   // opens the files
/// LoggingSystem.bootstrap(outputs.makeHandler)
/// ```
public struct LogConfiguration: Sendable, Equatable {
    /// One `[logger_*]` section.
    public struct LoggerEntry: Sendable, Equatable {
        /// The dotted logger name (`qualname`); empty for the root logger.
        public var name: String
        /// `nil` is Python's NOTSET: the nearest ancestor's level applies.
        public var level: Logger.Level?
        /// Names of `[handler_*]` sections.
        public var handlers: [String]
        /// Whether messages also go to the ancestors' handlers.
        public var propagate: Bool
    }

    /// One `[handler_*]` section.
    public struct HandlerEntry: Sendable, Equatable {
        /// `nil` is NOTSET: every message the logger lets through.
        public var level: Logger.Level?
        public var format: LogFormat
        public var destination: LogDestination
    }

    public struct Error: Swift.Error, CustomStringConvertible, Equatable {
        public let description: String
        init(_ description: String) { self.description = description }
    }

    /// Loggers by name (root: "").
    public var loggers: [String: LoggerEntry]
    /// Handlers by section key.
    public var handlers: [String: HandlerEntry]

    /// Everything at `level` and above to standard error: geard's default without `--log-config`.
    public static func standardError(level: Logger.Level) -> LogConfiguration {
        LogConfiguration(
            loggers: ["": LoggerEntry(name: "", level: level, handlers: ["stderr"], propagate: false)],
            handlers: ["stderr": HandlerEntry(level: nil, format: .standard, destination: .standardError)]
        )
    }

    init(loggers: [String: LoggerEntry], handlers: [String: HandlerEntry]) {
        self.loggers = loggers
        self.handlers = handlers
    }

    /// Reads and validates a configuration file.
    public init(contentsOfFile path: String) throws(Error) {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw Error("cannot read logging config file \(path)") }
        do {
            try self.init(parsing: text)
        } catch {
            throw Error("\(path): \(error)")
        }
    }

    /// Parses and validates configuration text.
    public init(parsing text: String) throws(Error) {
        let file: INIFile
        do { file = try INIFile(parsing: text) } catch { throw Error("\(error)") }
        let formats = try Self.formats(in: file)
        var handlers: [String: HandlerEntry] = [:]
        for key in try Self.keys("handlers", in: file) {
            handlers[key] = try Self.handler(key, in: file, formats: formats)
        }
        var loggers: [String: LoggerEntry] = [:]
        let loggerKeys = try Self.keys("loggers", in: file)
        guard loggerKeys.contains("root") else { throw Error("[loggers] keys must include root") }
        for key in loggerKeys {
            let entry = try Self.logger(key, in: file, handlers: handlers)
            guard loggers[entry.name] == nil else { throw Error("two loggers have qualname '\(entry.name)'") }
            loggers[entry.name] = entry
        }
        self.init(loggers: loggers, handlers: handlers)
    }

    // MARK: Sections

    private static func keys(_ list: String, in file: INIFile) throws(Error) -> [String] {
        guard let section = file[list] else { return [] }
        try checkOptions(of: section, allowed: ["keys"])
        return (section["keys"] ?? "").split(separator: ",").map { Substring($0).trimmingSpaces }.filter { !$0.isEmpty }
    }

    private static func section(_ name: String, in file: INIFile, allowed: Set<String>) throws(Error) -> INIFile.Section {
        guard let section = file[name] else { throw Error("section [\(name)] is missing") }
        try checkOptions(of: section, allowed: allowed)
        return section
    }

    private static func checkOptions(of section: INIFile.Section, allowed: Set<String>) throws(Error) {
        if let unknown = section.options.first(where: { !allowed.contains($0.key) }) {
            throw Error("[\(section.name)]: option '\(unknown.key)' is not supported")
        }
    }

    private static func formats(in file: INIFile) throws(Error) -> [String: LogFormat] {
        var formats: [String: LogFormat] = [:]
        for key in try keys("formatters", in: file) {
            let section = try section("formatter_\(key)", in: file, allowed: ["format", "datefmt", "style", "validate", "class"])
            if let style = section["style"], style != "%" {
                throw Error("[\(section.name)]: style '\(style)' is not supported, only '%'")
            }
            if let formatterClass = section["class"], !["logging.Formatter", "Formatter"].contains(formatterClass) {
                throw Error("[\(section.name)]: class '\(formatterClass)' is not supported, only logging.Formatter")
            }
            do {
                formats[key] = try LogFormat(section["format"] ?? "%(message)s", dateFormat: section["datefmt"] ?? "")
            } catch {
                throw Error("[\(section.name)]: \(error)")
            }
        }
        return formats
    }

    private static func handler(_ key: String, in file: INIFile, formats: [String: LogFormat]) throws(Error) -> HandlerEntry {
        let section = try section("handler_\(key)", in: file, allowed: ["class", "level", "formatter", "args", "kwargs"])
        let format: LogFormat
        if let name = section["formatter"], !name.isEmpty {
            guard let named = formats[name] else { throw Error("[\(section.name)]: formatter '\(name)' is not in [formatters] keys") }
            format = named
        } else {
            format = .messageOnly
        }
        guard let handlerClass = section["class"] else { throw Error("[\(section.name)]: class is missing") }
        do {
            let arguments = try HandlerArguments(
                positional: PythonLiteral.parseTuple(section["args"] ?? "()"),
                keywords: section["kwargs"].map(PythonLiteral.parseDict) ?? []
            )
            return HandlerEntry(
                level: try level(section["level"], in: section.name),
                format: format,
                destination: try LogDestination(handlerClass: handlerClass, arguments: arguments)
            )
        } catch let error as Error {
            throw error
        } catch {
            throw Error("[\(section.name)]: \(error)")
        }
    }

    private static func logger(_ key: String, in file: INIFile, handlers: [String: HandlerEntry]) throws(Error) -> LoggerEntry {
        let section = try section("logger_\(key)", in: file, allowed: ["level", "handlers", "qualname", "propagate"])
        let isRoot = key == "root"
        let name = isRoot ? "" : (section["qualname"] ?? "")
        if !isRoot, name.isEmpty { throw Error("[\(section.name)]: qualname is missing") }
        let handlerNames = (section["handlers"] ?? "").split(separator: ",").map { Substring($0).trimmingSpaces }.filter { !$0.isEmpty }
        if let unknown = handlerNames.first(where: { handlers[$0] == nil }) {
            throw Error("[\(section.name)]: handler '\(unknown)' is not in [handlers] keys")
        }
        let propagate: Bool
        switch section["propagate"] ?? "1" {
        case "1", "True", "true": propagate = true
        case "0", "False", "false": propagate = false
        case let other: throw Error("[\(section.name)]: propagate '\(other)' must be 0 or 1")
        }
        // As in Python, the root logger is at WARNING unless the file says otherwise.
        let level = try level(section["level"], in: section.name) ?? (isRoot && section["level"] == nil ? .warning : nil)
        return LoggerEntry(name: name, level: isRoot ? (level ?? .trace) : level, handlers: handlerNames, propagate: propagate)
    }

    /// Python level names, plus swift-log's TRACE and NOTICE. `nil` for NOTSET.
    private static func level(_ name: String?, in section: String) throws(Error) -> Logger.Level? {
        switch name?.uppercased() {
        case nil, "NOTSET": nil
        case "TRACE": .trace
        case "DEBUG": .debug
        case "INFO": .info
        case "NOTICE": .notice
        case "WARNING", "WARN": .warning
        case "ERROR": .error
        case "CRITICAL", "FATAL": .critical
        case let other?: throw Error("[\(section)]: level '\(other)' is not a logging level")
        }
    }
}
