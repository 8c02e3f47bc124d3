/// The sections of an INI file as Python's `configparser` reads them: `[section]` headers, `key = value` or
/// `key: value` options (keys case-insensitive), `#` and `;` comment lines, indented continuation lines.
///
/// Interpolation is not performed: `logging.config.fileConfig` reads `format` and `datefmt` raw, and the
/// other options of a logging configuration have no use for it.
struct INIFile: Equatable {
    struct Section: Equatable {
        let name: String
        /// Options in file order; keys lowercased.
        var options: [(key: String, value: String)] = []

        subscript(key: String) -> String? { options.last { $0.key == key }?.value }

        static func == (lhs: Section, rhs: Section) -> Bool {
            lhs.name == rhs.name && lhs.options.elementsEqual(rhs.options) { $0 == $1 }
        }
    }

    struct SyntaxError: Error, CustomStringConvertible, Equatable {
        let line: Int
        let message: String
        var description: String { "line \(line): \(message)" }
    }

    private(set) var sections: [Section] = []

    subscript(name: String) -> Section? { sections.first { $0.name == name } }

    init(parsing text: String) throws(SyntaxError) {
        var lineNumber = 0
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            let line = rawLine.hasSuffix("\r") ? rawLine.dropLast() : rawLine
            let trimmed = line.trimmingSpaces
            if trimmed.isEmpty || trimmed.hasPrefix("#") || trimmed.hasPrefix(";") { continue }
            if line.first == " " || line.first == "\t" {
                guard var section = sections.popLast(), let last = section.options.popLast() else {
                    throw SyntaxError(line: lineNumber, message: "continuation line without an option")
                }
                section.options.append((last.key, last.value.isEmpty ? trimmed : last.value + "\n" + trimmed))
                sections.append(section)
            } else if trimmed.hasPrefix("[") {
                guard trimmed.hasSuffix("]") else { throw SyntaxError(line: lineNumber, message: "unterminated section header") }
                let name = String(trimmed.dropFirst().dropLast())
                guard self[name] == nil else { throw SyntaxError(line: lineNumber, message: "section [\(name)] appears twice") }
                sections.append(Section(name: name))
            } else {
                guard !sections.isEmpty else { throw SyntaxError(line: lineNumber, message: "option outside of a section") }
                guard let separator = trimmed.firstIndex(where: { $0 == "=" || $0 == ":" }) else {
                    throw SyntaxError(line: lineNumber, message: "expected 'key = value'")
                }
                let key = trimmed[..<separator].trimmingSpaces.lowercased()
                let value = trimmed[trimmed.index(after: separator)...].trimmingSpaces
                sections[sections.count - 1].options.append((key, value))
            }
        }
    }
}

extension Substring {
    var trimmingSpaces: String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}
