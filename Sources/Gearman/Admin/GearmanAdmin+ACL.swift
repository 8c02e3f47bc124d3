/// The `acl` commands of python `gear`'s geard. They act on the certificate subject of a TLS connection, so
/// connect with ``TLSFiles``.
///
/// ```swift
/// try await GearmanAdmin.withConnection(to: secureServer) { admin in
///     try await admin.aclGrant(.invoke("reports-.*"), to: "dashboard")
///     print(try await admin.aclList())
///     try await admin.aclSelfRevoke(.grant)
/// }
/// ```
extension GearmanAdmin {
    /// `acl list`: every entry. Throws ``GearmanError/Code/serverError`` (`ACL_DISABLED`) on a server without ACLs.
    public func aclList() async throws -> [ACLEntry] {
        try await raw("acl list").map { line in
            guard let entry = ACLEntry(line: line) else { throw GearmanError.protocolError("acl list answered \(line)") }
            return entry
        }
    }

    /// `acl grant VERB SUBJECT [PATTERN]`: needs the grant permission.
    public func aclGrant(_ permission: ACLPermission, to subject: String) async throws {
        switch permission {
        case .register(let pattern): try await aclCommand("grant", "register", subject, pattern)
        case .invoke(let pattern): try await aclCommand("grant", "invoke", subject, pattern)
        case .grant: try await aclCommand("grant", "grant", subject)
        }
    }

    /// `acl revoke VERB SUBJECT`: needs the grant permission, unless `subject` is this connection's own.
    public func aclRevoke(_ verb: ACLVerb, from subject: String) async throws {
        try await aclCommand("revoke", verb.rawValue, subject)
    }

    /// `acl self-revoke VERB`: drops a permission of this connection's own certificate subject.
    public func aclSelfRevoke(_ verb: ACLVerb) async throws {
        try await aclCommand("self-revoke", verb.rawValue)
    }

    private func aclCommand(_ words: String...) async throws {
        guard words.allSatisfy({ !$0.isEmpty && !$0.contains(where: \.isWhitespace) }) else {
            throw GearmanError(.invalidConfiguration, "acl arguments must be single words: \(words)")
        }
        let answer = try await raw((["acl"] + words).joined(separator: " "))
        guard answer.first?.hasPrefix("OK") == true else { throw GearmanError.protocolError("acl \(words[0]) answered \(answer)") }
    }
}
