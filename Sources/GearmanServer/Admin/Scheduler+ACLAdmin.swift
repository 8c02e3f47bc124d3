import GearmanProtocol

/// The seed's `acl` admin commands: list, grant (needs grant), revoke (needs grant unless revoking from
/// oneself), self-revoke (always allowed).
extension Scheduler {
    func response(to command: ACLAdminCommand, from connection: ServerConnection) -> String {
        guard var list = accessControl else { return Self.adminError("ACL_DISABLED", "no access control list is in force") }
        let subject = connection.subject
        switch command {
        case .list:
            // The seed's format: Python's None and True/False spellings.
            return list.sortedEntries.map { entry in
                "\(entry.subject)\tregister=\(entry.register?.source ?? "None")\tinvoke=\(entry.invoke?.source ?? "None")\tgrant=\(entry.grant ? "True" : "False")\n"
            }.joined() + ".\n"
        case .unknownVerb(let verb):
            return Self.adminError("UNKNOWN_ACL_VERB", "unknown verb \(verb)")
        case .grant(let verb, let target, let pattern):
            guard list.canGrant(subject) else { return Self.adminError("PERMISSION_DENIED", "the grant permission is required") }
            guard let permission = AccessControlList.Permission(rawValue: verb.rawValue) else {
                return Self.adminError("UNKNOWN_ACL_VERB", "unknown verb \(verb.rawValue)")
            }
            do {
                try list.grant(permission, to: target, pattern: pattern)
            } catch {
                return Self.adminError("UNABLE", error.description)
            }
        case .revoke(let verb, let target):
            guard target == subject || list.canGrant(subject) else {
                return Self.adminError("PERMISSION_DENIED", "the grant permission is required to revoke from others")
            }
            list.revoke(AccessControlList.Permission(rawValue: verb.rawValue), from: target)
        case .selfRevoke(let verb):
            guard let subject else { return Self.ok }  // Nothing to revoke from a connection without a subject.
            list.revoke(AccessControlList.Permission(rawValue: verb.rawValue), from: subject)
        }
        logger.notice("ACL changed by admin", metadata: ["connection": "\(connection.id)", "command": "\(command.line)", "subject": "\(subject ?? "-")"])
        accessControl = list
        return Self.ok
    }
}
