/// The small part of Python expression syntax that `args` and `kwargs` of a logging handler use:
/// a tuple or dict of strings, numbers, `None`, `True`, `False` and `sys.stdout`/`sys.stderr`.
///
/// `logging.config.fileConfig` evaluates these options with `eval`; anything beyond literals is refused.
enum PythonLiteral: Equatable, CustomStringConvertible {
    case string(String)
    case number(Double)
    case bool(Bool)
    case null
    case standardOutput
    case standardError

    struct SyntaxError: Error, Equatable, CustomStringConvertible {
        let message: String
        var description: String { message }
    }

    var description: String {
        switch self {
        case .string(let text): "'\(text)'"
        case .number(let value): value == value.rounded() ? String(Int(value)) : String(value)
        case .bool(let value): value ? "True" : "False"
        case .null: "None"
        case .standardOutput: "sys.stdout"
        case .standardError: "sys.stderr"
        }
    }

    /// Parses `(a, b,)`, `()` or a single value (Python treats `(a)` as `a`).
    static func parseTuple(_ text: String) throws(SyntaxError) -> [PythonLiteral] {
        var scanner = Scanner(text)
        scanner.skipSpaces()
        guard scanner.take("(") else {
            let value = try scanner.value()
            try scanner.end()
            return [value]
        }
        let values = try scanner.items(closing: ")") { scanner throws(SyntaxError) in try scanner.value() }
        try scanner.end()
        return values
    }

    /// Parses `{'key': value, ...}`.
    static func parseDict(_ text: String) throws(SyntaxError) -> [(key: String, value: PythonLiteral)] {
        var scanner = Scanner(text)
        scanner.skipSpaces()
        guard scanner.take("{") else { throw SyntaxError(message: "expected a dict literal, got '\(text)'") }
        let entries = try scanner.items(closing: "}") { scanner throws(SyntaxError) -> (key: String, value: PythonLiteral) in
            guard case .string(let key) = try scanner.value() else { throw SyntaxError(message: "dict keys must be strings") }
            scanner.skipSpaces()
            guard scanner.take(":") else { throw SyntaxError(message: "expected ':' after '\(key)'") }
            return (key, try scanner.value())
        }
        try scanner.end()
        return entries
    }

    private struct Scanner {
        private let characters: [Character]
        private var position = 0

        init(_ text: String) { characters = Array(text) }

        mutating func skipSpaces() {
            while position < characters.count, characters[position].isWhitespace { position += 1 }
        }

        mutating func take(_ character: Character) -> Bool {
            guard position < characters.count, characters[position] == character else { return false }
            position += 1
            return true
        }

        mutating func end() throws(SyntaxError) {
            skipSpaces()
            guard position == characters.count else {
                throw SyntaxError(message: "unexpected '\(String(characters[position...]))'")
            }
        }

        /// Comma-separated items up to `closing`, a trailing comma allowed.
        mutating func items<Item>(closing: Character, _ item: (inout Scanner) throws(SyntaxError) -> Item) throws(SyntaxError) -> [Item] {
            var items: [Item] = []
            while true {
                skipSpaces()
                if take(closing) { return items }
                items.append(try item(&self))
                skipSpaces()
                if take(closing) { return items }
                guard take(",") else { throw SyntaxError(message: "expected ',' or '\(closing)'") }
            }
        }

        mutating func value() throws(SyntaxError) -> PythonLiteral {
            skipSpaces()
            guard position < characters.count else { throw SyntaxError(message: "expected a value") }
            let first = characters[position]
            if first == "'" || first == "\"" { return .string(try quoted(first)) }
            let start = position
            while position < characters.count, characters[position].isLetter || characters[position].isNumber
                || "._+-".contains(characters[position])
            {
                position += 1
            }
            let word = String(characters[start..<position])
            switch word {
            case "None": return .null
            case "True": return .bool(true)
            case "False": return .bool(false)
            case "sys.stdout": return .standardOutput
            case "sys.stderr": return .standardError
            default:
                guard let number = Double(word) else {
                    throw SyntaxError(message: "'\(word.isEmpty ? String(first) : word)' is not a supported literal")
                }
                return .number(number)
            }
        }

        private mutating func quoted(_ quote: Character) throws(SyntaxError) -> String {
            position += 1
            var text = ""
            while position < characters.count {
                let character = characters[position]
                position += 1
                if character == quote { return text }
                if character == "\\", position < characters.count {
                    let escaped = characters[position]
                    position += 1
                    switch escaped {
                    case "n": text.append("\n")
                    case "t": text.append("\t")
                    default: text.append(escaped)
                    }
                } else {
                    text.append(character)
                }
            }
            throw SyntaxError(message: "unterminated string")
        }
    }
}
