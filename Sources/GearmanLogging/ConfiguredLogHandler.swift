import Logging

/// A swift-log handler for one label: its level is the logger's effective level, and each message goes to
/// every route (handler of the logger or an ancestor) whose own level it reaches.
struct ConfiguredLogHandler: LogHandler {
    struct Route: Sendable {
        let level: Logger.Level
        let format: LogFormat
        let sink: any LogSink
    }

    let label: String
    var logLevel: Logger.Level
    let routes: [Route]
    var metadata: Logger.Metadata = [:]
    var metadataProvider: Logger.MetadataProvider?

    init(label: String, logLevel: Logger.Level, routes: [Route]) {
        self.label = label
        self.logLevel = logLevel
        self.routes = routes
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let targets = routes.filter { event.level >= $0.level }
        guard !targets.isEmpty else { return }
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { $1 } }
        if let given = event.metadata { merged.merge(given) { $1 } }
        let message = merged.sorted { $0.key < $1.key }.reduce(event.message.description) { $0 + " \($1.key)=\($1.value)" }
        let record = LogRecord(
            time: .now(), level: event.level, loggerName: label, message: message, file: event.file,
            function: event.function, line: event.line
        )
        for route in targets { route.sink.write(route.format.render(record), at: record.time) }
    }
}
