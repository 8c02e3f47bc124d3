import Foundation

extension AccessControlList {
    /// A line of an ACL file that is not valid, with its 1-based number.
    public struct ParseError: Error, Hashable, CustomStringConvertible {
        public let line: Int
        public let message: String
        public var description: String { "line \(line): \(message)" }
    }

    /// Parses the seed's ACL file: INI sections named by subject, each with optional `register=<regex>`,
    /// `invoke=<regex>` and `grant=<boolean>` (Python's `RawConfigParser` rules: `=` or `:`, `#` and `;`
    /// comment lines, keys case-insensitive, booleans `1/yes/true/on` and `0/no/false/off`).
    ///
    /// ```ini
    /// [my_worker]
    /// register=.*
    ///
    /// [my_node_manager]
    /// grant=True
    /// ```
    ///
    /// Anything else (a key outside a section, an unknown key, a repeated section or key, a bad boolean or
    /// regular expression) is an error naming its line, so a typo never silently changes who may do what.
    public init(parsing text: String) throws(ParseError) {
        var entries: [Entry] = []
        var keysSeen: Set<String> = []
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let number = index + 1
            let line = rawLine.trimmingCharacters(in: .whitespaces.union(.init(charactersIn: "\r")))
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("[") {
                guard line.hasSuffix("]"), line.count > 2 else { throw ParseError(line: number, message: "malformed section header \(line)") }
                let subject = String(line.dropFirst().dropLast())
                guard subject != "DEFAULT" else { throw ParseError(line: number, message: "a DEFAULT section is not supported") }
                guard !entries.contains(where: { $0.subject == subject }) else {
                    throw ParseError(line: number, message: "section [\(subject)] appears twice")
                }
                entries.append(Entry(subject: subject))
                keysSeen = []
                continue
            }
            guard let separator = line.firstIndex(where: { $0 == "=" || $0 == ":" }) else {
                throw ParseError(line: number, message: "expected key=value or [subject], got \(line)")
            }
            guard !entries.isEmpty else { throw ParseError(line: number, message: "key outside a [subject] section") }
            let key = line[..<separator].trimmingCharacters(in: .whitespaces).lowercased()
            let value = line[line.index(after: separator)...].trimmingCharacters(in: .whitespaces)
            guard keysSeen.insert(key).inserted else { throw ParseError(line: number, message: "\(key) given twice") }
            do {
                switch key {
                case "register": entries[entries.count - 1].register = value.isEmpty ? nil : try FunctionPattern(value)
                case "invoke": entries[entries.count - 1].invoke = value.isEmpty ? nil : try FunctionPattern(value)
                case "grant":
                    guard let flag = Self.boolean(value) else { throw ParseError(line: number, message: "grant must be a boolean, got \(value)") }
                    entries[entries.count - 1].grant = flag
                default:
                    throw ParseError(line: number, message: "unknown key \(key) (expected register, invoke or grant)")
                }
            } catch let error as FunctionPattern.Invalid {
                throw ParseError(line: number, message: error.description)
            } catch let error as ParseError {
                throw error
            } catch {
                throw ParseError(line: number, message: "\(error)")
            }
        }
        self.init(entries)
    }

    /// Reads and parses an ACL file; errors name the file and, for syntax errors, the line.
    public init(contentsOfFile path: String) throws {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw FileError(path: path, reason: "cannot read: \(error.localizedDescription)")
        }
        do {
            try self.init(parsing: text)
        } catch {
            throw FileError(path: path, reason: error.description)
        }
    }

    /// An ACL file that could not be loaded.
    public struct FileError: Error, CustomStringConvertible {
        public let path: String
        public let reason: String
        public var description: String { "ACL file \(path): \(reason)" }
    }

    private static func boolean(_ value: String) -> Bool? {
        switch value.lowercased() {
        case "1", "yes", "true", "on": true
        case "0", "no", "false", "off": false
        default: nil
        }
    }
}
