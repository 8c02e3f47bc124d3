/// Who may register and invoke which functions, and who may change the list: the seed's `gear.ACL`.
///
/// Subjects are TLS client certificate Common Names. Deny by default: a subject without an entry, or a
/// connection without a certificate (`nil` subject), may do nothing the list checks.
///
/// ```swift
/// var acl = try AccessControlList(parsing: "[worker]\nregister=reverse.*\n")
/// acl.canRegister("worker", "reverse")        // true
/// acl.canInvoke("worker", "reverse")          // false
/// try acl.grant(.invoke, to: "client", pattern: ".*")
/// ```
public struct AccessControlList: Sendable, Hashable {
    /// What an entry allows one subject: the seed's `gear.ACLEntry`.
    public struct Entry: Sendable, Hashable {
        public let subject: String
        /// Functions the subject may register (CAN_DO); `nil`: none.
        public var register: FunctionPattern?
        /// Functions the subject may submit jobs to, and cancel jobs of; `nil`: none.
        public var invoke: FunctionPattern?
        /// Whether the subject may grant and revoke permissions of others, and change server state.
        public var grant: Bool

        public init(subject: String, register: FunctionPattern? = nil, invoke: FunctionPattern? = nil, grant: Bool = false) {
            self.subject = subject
            self.register = register
            self.invoke = invoke
            self.grant = grant
        }

        /// Whether the entry allows nothing at all (revoking the last permission removes the entry).
        public var isEmpty: Bool { register == nil && invoke == nil && !grant }
    }

    /// A permission an entry can hold.
    public enum Permission: String, Sendable, CaseIterable {
        case register, invoke, grant
    }

    private var entries: [String: Entry] = [:]

    public init(_ entries: [Entry] = []) {
        for entry in entries { self.entries[entry.subject] = entry }
    }

    /// The entries, ordered by subject.
    public var sortedEntries: [Entry] { entries.values.sorted { $0.subject < $1.subject } }

    public func entry(for subject: String) -> Entry? { entries[subject] }

    public func canRegister(_ subject: String?, _ function: String) -> Bool {
        subject.flatMap { entries[$0]?.register?.matches(function) } ?? false
    }

    public func canInvoke(_ subject: String?, _ function: String) -> Bool {
        subject.flatMap { entries[$0]?.invoke?.matches(function) } ?? false
    }

    public func canGrant(_ subject: String?) -> Bool {
        subject.flatMap { entries[$0]?.grant } ?? false
    }

    /// Gives `subject` a permission; `pattern` (a regular expression) is required for register and invoke,
    /// and replaces the subject's previous pattern.
    public mutating func grant(_ permission: Permission, to subject: String, pattern: String? = nil) throws(FunctionPattern.Invalid) {
        var entry = entries[subject] ?? Entry(subject: subject)
        switch permission {
        case .register: entry.register = try FunctionPattern(pattern ?? "")
        case .invoke: entry.invoke = try FunctionPattern(pattern ?? "")
        case .grant: entry.grant = true
        }
        entries[subject] = entry
    }

    /// Takes a permission from `subject`, or every permission when `permission` is `nil`.
    public mutating func revoke(_ permission: Permission?, from subject: String) {
        guard var entry = entries[subject] else { return }
        switch permission {
        case .register: entry.register = nil
        case .invoke: entry.invoke = nil
        case .grant: entry.grant = false
        case nil: entry = Entry(subject: subject)
        }
        entries[subject] = entry.isEmpty ? nil : entry
    }
}
