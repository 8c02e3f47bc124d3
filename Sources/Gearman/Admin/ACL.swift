/// One line of `acl list`: what connections with a certificate subject may do (python `gear`'s geard ACLs).
public struct ACLEntry: Sendable, Hashable, Codable {
    /// The SSL certificate Subject Common Name the entry applies to.
    public var subject: String
    /// Regular expression of the functions the subject may register; `nil`: none.
    public var register: String?
    /// Regular expression of the functions the subject may submit (and cancel); `nil`: none.
    public var invoke: String?
    /// Whether the subject may grant and revoke permissions of others.
    public var grant: Bool

    public init(subject: String, register: String? = nil, invoke: String? = nil, grant: Bool = false) {
        self.subject = subject
        self.register = register
        self.invoke = invoke
        self.grant = grant
    }

    /// Parses `SUBJECT register=R invoke=I grant=G`, fields separated by tabs or spaces, `None` for no pattern.
    init?(line: String) {
        let words = line.split(whereSeparator: { $0 == "\t" || $0 == " " }).map(String.init)
        guard let subject = words.first else { return nil }
        var fields: [String: String] = [:]
        for word in words.dropFirst() {
            guard let equals = word.firstIndex(of: "=") else { return nil }
            fields[String(word[..<equals])] = String(word[word.index(after: equals)...])
        }
        func pattern(_ key: String) -> String? { fields[key].flatMap { $0 == "None" ? nil : $0 } }
        self.init(subject: subject, register: pattern("register"), invoke: pattern("invoke"), grant: fields["grant"] == "True")
    }
}

/// A permission that `acl grant` gives.
public enum ACLPermission: Sendable, Hashable {
    /// Register functions whose names match the regular expression.
    case register(String)
    /// Submit (and cancel) jobs of functions whose names match the regular expression.
    case invoke(String)
    /// Grant and revoke permissions of others.
    case grant
}

/// What `acl revoke` and `acl self-revoke` take away.
public enum ACLVerb: String, Sendable, Hashable, CaseIterable {
    case register, invoke, grant
    /// Every permission: the subject's entry goes away.
    case all
}
