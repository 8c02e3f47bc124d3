/// The `acl` admin commands of the seed's `geard`, which read and change the access control list.
///
/// ```swift
/// AdminCommand(parsing: ByteBuffer(string: "acl grant register worker .*"))
/// // .acl(.grant(.register, subject: "worker", pattern: ".*"))
/// ```
public enum ACLAdminCommand: Sendable, Hashable {
    /// A permission named in a grant or revoke; `all` only revokes.
    public enum Verb: String, Sendable, Hashable {
        case register, invoke, grant, all
    }

    /// `acl list`: every entry, one line each.
    case list
    /// `acl grant <verb> <subject> <pattern>`; the pattern (the rest of the line) is `nil` for `grant`.
    case grant(Verb, subject: String, pattern: String?)
    /// `acl revoke <verb> <subject>`.
    case revoke(Verb, subject: String)
    /// `acl self-revoke <verb>`: revokes from the subject of the connection that sends it.
    case selfRevoke(Verb)
    /// A verb the command does not take (`ERR UNKNOWN_ACL_VERB`).
    case unknownVerb(String)

    /// Parses the text of an admin line starting with `acl`; `nil` when the arguments do not fit.
    init?(line: String) {
        // As Python's `split(None, 4)`: the fifth field, the pattern, is the rest of the line.
        let fields = line.splitAtBlanks(maxSplits: 4).map { $0.trimmingBlanks() }.filter { !$0.isEmpty }
        guard fields.count >= 2 else { return nil }
        let subcommand = fields[1].lowercased()
        guard subcommand != "list" else {
            guard fields.count == 2 else { return nil }
            self = .list
            return
        }
        guard ["grant", "revoke", "self-revoke"].contains(subcommand), fields.count >= 3 else { return nil }
        guard let verb = Verb(rawValue: fields[2].lowercased()) else {
            self = .unknownVerb(fields[2])
            return
        }
        switch (subcommand, verb, fields.count) {
        case ("grant", .all, _): self = .unknownVerb(fields[2])
        case ("grant", .grant, 4): self = .grant(verb, subject: fields[3], pattern: nil)
        case ("grant", .register, 5), ("grant", .invoke, 5): self = .grant(verb, subject: fields[3], pattern: fields[4])
        case ("revoke", _, 4): self = .revoke(verb, subject: fields[3])
        case ("self-revoke", _, 3): self = .selfRevoke(verb)
        default: return nil
        }
    }

    /// The line a client sends for this command, without the terminator.
    public var line: String {
        switch self {
        case .list: "acl list"
        case .grant(let verb, let subject, let pattern): "acl grant \(verb.rawValue) \(subject)" + (pattern.map { " " + $0 } ?? "")
        case .revoke(let verb, let subject): "acl revoke \(verb.rawValue) \(subject)"
        case .selfRevoke(let verb): "acl self-revoke \(verb.rawValue)"
        case .unknownVerb(let verb): "acl self-revoke \(verb)"
        }
    }
}

extension String {
    /// Splits at spaces and tabs as bytes, the way gearmand reads admin lines. Splitting the `String` itself
    /// would not: a combining mark after a space makes one character of both (found by fuzzing).
    func splitAtBlanks(maxSplits: Int = .max) -> [String] {
        unicodeScalars.split(maxSplits: maxSplits, whereSeparator: \.isBlank).map { String(String.UnicodeScalarView($0)) }
    }

    fileprivate func trimmingBlanks() -> String {
        let scalars = unicodeScalars.drop(while: \.isBlank).reversed().drop(while: \.isBlank).reversed()
        return String(String.UnicodeScalarView(scalars))
    }
}

extension Unicode.Scalar {
    fileprivate var isBlank: Bool { self == " " || self == "\t" }
}
