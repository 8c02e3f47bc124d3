/// A regular expression over function names, matched from the start of the name as Python's `re.match` does
/// in the seed's `geard` (`worker.*` allows `worker-1`; `build` allows `build` and `buildx`; anchor with `$`).
///
/// ```swift
/// let pattern = try FunctionPattern("reverse")
/// pattern.matches("reverse")     // true
/// pattern.matches("unreverse")   // false
/// ```
public struct FunctionPattern: Sendable, Hashable, CustomStringConvertible {
    /// The pattern as written.
    public let source: String
    private let compiled: CompiledRegex

    /// A pattern that does not compile.
    public struct Invalid: Error, Hashable, CustomStringConvertible {
        public let pattern: String
        public let reason: String
        public var description: String { "invalid regular expression '\(pattern)': \(reason)" }
    }

    public init(_ source: String) throws(Invalid) {
        guard !source.isEmpty else { throw Invalid(pattern: source, reason: "empty pattern") }
        do {
            compiled = CompiledRegex(try Regex(source))
        } catch {
            throw Invalid(pattern: source, reason: "\(error)")
        }
        self.source = source
    }

    public func matches(_ function: String) -> Bool {
        (try? compiled.regex.prefixMatch(in: function)) != nil
    }

    public var description: String { source }

    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.source == rhs.source }
    public func hash(into hasher: inout Hasher) { hasher.combine(source) }
}

/// `Regex` is not `Sendable`, but a compiled regex is immutable and only read after construction, and the
/// standard library makes its lazily built matching program safe to share between threads.
private final class CompiledRegex: @unchecked Sendable {
    let regex: Regex<AnyRegexOutput>
    init(_ regex: Regex<AnyRegexOutput>) { self.regex = regex }
}
