import Logging

/// The handlers of a ``LogConfiguration`` made real (files opened), and the swift-log handler factory that
/// routes each logger label through them.
///
/// ```swift
/// let outputs = try LogOutputs(LogConfiguration(contentsOfFile: path))
/// LoggingSystem.bootstrap(outputs.makeHandler)
/// ```
public final class LogOutputs: Sendable {
    private let configuration: LogConfiguration
    private let sinks: [String: any LogSink]
    /// The standard descriptors (`STDOUT_FILENO`, `STDERR_FILENO`) that some handler writes to: a daemon keeps
    /// these open instead of pointing them at /dev/null.
    public let standardDescriptors: Set<Int32>

    /// Opens every file the configuration names; throws when one cannot be opened.
    public convenience init(_ configuration: LogConfiguration) throws {
        try self.init(configuration, now: .now())
    }

    init(_ configuration: LogConfiguration, now: LogTime) throws {
        self.configuration = configuration
        var sinks: [String: any LogSink] = [:]
        var standardDescriptors: Set<Int32> = []
        for (key, handler) in configuration.handlers {
            switch handler.destination {
            case .standardOutput:
                sinks[key] = DescriptorSink(LineWriter(descriptor: 1))
                standardDescriptors.insert(1)
            case .standardError:
                sinks[key] = DescriptorSink(LineWriter(descriptor: 2))
                standardDescriptors.insert(2)
            case .file(let path, let append): sinks[key] = DescriptorSink(try LineWriter.open(path, append: append))
            case .rotatingFile(let path, let rotation, let backupCount, let utc):
                sinks[key] = try RotatingFileSink(path: path, rotation: rotation, backupCount: backupCount, utc: utc, now: now)
            }
        }
        self.sinks = sinks
        self.standardDescriptors = standardDescriptors
    }

    /// The swift-log handler for `label`: pass this method to `LoggingSystem.bootstrap`.
    @Sendable public func makeHandler(label: String) -> any LogHandler {
        var level: Logger.Level?
        var routes: [ConfiguredLogHandler.Route] = []
        var propagating = true
        for logger in loggers(from: label) {
            if level == nil { level = logger.level }
            guard propagating else { continue }
            for key in logger.handlers {
                guard let handler = configuration.handlers[key], let sink = sinks[key] else { continue }
                routes.append(.init(level: handler.level ?? .trace, format: handler.format, sink: sink))
            }
            propagating = logger.propagate
        }
        return ConfiguredLogHandler(label: label, logLevel: level ?? .warning, routes: routes)
    }

    /// The configured loggers that `label` belongs to, most specific first, ending with the root.
    private func loggers(from label: String) -> [LogConfiguration.LoggerEntry] {
        var chain: [LogConfiguration.LoggerEntry] = []
        var name = Substring(label)
        while !name.isEmpty {
            if let logger = configuration.loggers[String(name)] { chain.append(logger) }
            name = name.lastIndex(of: ".").map { name[..<$0] } ?? ""
        }
        if let root = configuration.loggers[""] { chain.append(root) }
        return chain
    }
}
