import Logging
import Testing

@testable import GearmanLogging

@Suite struct LogConfigurationTests {
    @Test func seedExampleParsesAsWritten() throws {
        let configuration = try LogConfiguration(parsing: seedExample)
        #expect(configuration.loggers[""] == .init(name: "", level: .warning, handlers: ["console"], propagate: true))
        #expect(configuration.loggers["gear"] == .init(name: "gear", level: .info, handlers: ["debug", "info"], propagate: true))
        let simple = try LogFormat("%(asctime)s %(levelname)s %(name)s: %(message)s")
        #expect(configuration.handlers["console"] == .init(level: .warning, format: simple, destination: .standardOutput))
        #expect(
            configuration.handlers["debug"]
                == .init(
                    level: .debug, format: simple,
                    destination: .rotatingFile(path: "/var/log/gear/debug.log", rotation: .init(unit: .midnight), backupCount: 30, utc: false)
                )
        )
        #expect(configuration.handlers["info"]?.level == .info)
    }

    @Test func pythonDefaultsApply() throws {
        let configuration = try LogConfiguration(
            parsing: """
                [loggers]
                keys=root
                [handlers]
                keys=plain
                [logger_root]
                handlers=plain
                [handler_plain]
                class=FileHandler
                args=('/tmp/x.log',)
                kwargs={'mode': 'w', 'encoding': 'utf-8'}
                """
        )
        // Root without a level is at WARNING; a handler without formatter prints the bare message.
        #expect(configuration.loggers[""]?.level == .warning)
        #expect(configuration.handlers["plain"] == .init(level: nil, format: .messageOnly, destination: .file(path: "/tmp/x.log", append: false)))
    }

    @Test(arguments: [
        ("class=handlers.SysLogHandler", "handler class 'handlers.SysLogHandler' is not supported"),
        ("class=StreamHandler\nfilters=f", "option 'filters' is not supported"),
        ("class=handlers.TimedRotatingFileHandler\nargs=('/tmp/x', 'W0')", "when 'W0' is not supported"),
        ("class=handlers.TimedRotatingFileHandler\nargs=('/tmp/x',)\nkwargs={'atTime': 3}", "atTime is not supported"),
        ("class=FileHandler\nargs=('/tmp/x', 'a', 'latin-1')", "encoding 'latin-1' is not supported"),
        ("class=FileHandler\nargs=('/tmp/x',)\nkwargs={'delay': True}", "delay=True is not supported"),
        ("class=StreamHandler\nargs=(open('x'),)", "'open' is not a supported literal"),
        ("class=StreamHandler\nlevel=LOUD", "level 'LOUD' is not a logging level"),
        ("class=StreamHandler\nformatter=missing", "formatter 'missing' is not in [formatters] keys"),
    ])
    func unsupportedHandlerOptionsAreErrors(handler: String, message: String) {
        let text = "[loggers]\nkeys=root\n[handlers]\nkeys=h\n[logger_root]\nhandlers=h\n[handler_h]\n\(handler)\n"
        #expect {
            try LogConfiguration(parsing: text)
        } throws: { error in
            "\(error)".contains(message)
        }
    }

    @Test(arguments: [
        ("[loggers]\nkeys=gear\n[logger_gear]\nqualname=gear", "keys must include root"),
        ("[loggers]\nkeys=root\n[logger_root]\nhandlers=nowhere", "handler 'nowhere' is not in [handlers] keys"),
        ("[loggers]\nkeys=root\n[logger_root]\n[formatters]\nkeys=f\n[formatter_f]\nformat={message}\nstyle={", "style '{' is not supported"),
        ("[loggers]\nkeys=root\n[logger_root]\n[formatters]\nkeys=f\n[formatter_f]\nformat=%(threadName)s", "format field 'threadName' is not supported"),
        ("[loggers]\nkeys=root\n[logger_root]\n[formatters]\nkeys=f\n[formatter_f]\nformat=%(name)d", "cannot be formatted with %d"),
        ("[loggers]\nkeys=root,x\n[logger_root]\n[logger_x]\nlevel=INFO", "qualname is missing"),
        ("keys=root", "line 1: option outside of a section"),
    ])
    func invalidFilesAreErrors(text: String, message: String) {
        #expect {
            try LogConfiguration(parsing: text)
        } throws: { error in
            "\(error)".contains(message)
        }
    }

    @Test func unreadableFileIsAnError() {
        #expect(throws: LogConfiguration.Error("cannot read logging config file /nonexistent/logging.config")) {
            try LogConfiguration(contentsOfFile: "/nonexistent/logging.config")
        }
    }

    @Test func literalsParseAsPythonWould() throws {
        #expect(try PythonLiteral.parseTuple("('/var/log/a.log', 'midnight', 1, 30,)") == [.string("/var/log/a.log"), .string("midnight"), .number(1), .number(30)])
        #expect(try PythonLiteral.parseTuple("()") == [])
        #expect(try PythonLiteral.parseTuple("(sys.stderr,)") == [.standardError])
        #expect(try PythonLiteral.parseTuple("\"it's\"") == [.string("it's")])
        #expect(try PythonLiteral.parseDict("{'utc': True, \"backupCount\": 3}").map(\.key) == ["utc", "backupCount"])
    }
}
