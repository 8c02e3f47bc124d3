import GearmanProtocol
import NIOCore

/// Enforcing the access control list, when one is in force: deny by default.
///
/// CAN_DO and CAN_DO_TIMEOUT need the register permission for the function, every SUBMIT_JOB* the invoke
/// permission; refusals get an ERROR packet naming the permission and the connection stays open. Admin commands
/// that change state need the grant permission (`cancel job` also accepts invoke for the job's function, as in
/// the seed); read-only ones stay open to all, as in the seed's `geard`, except `result`, which needs invoke (or
/// grant) for the job's function.
extension Scheduler {
    /// Whether `packet` may be acted on; sends the ERROR itself when not.
    func isPermitted(_ packet: Packet, from connection: ServerConnection) -> Bool {
        guard let accessControl else { return true }
        let permission: AccessControlList.Permission
        switch packet.type {
        case .canDo, .canDoTimeout: permission = .register
        case _ where packet.type.submitKind != nil: permission = .invoke
        default: return true
        }
        let function = packet.arguments[0].string
        let allowed = permission == .register
            ? accessControl.canRegister(connection.subject, function)
            : accessControl.canInvoke(connection.subject, function)
        guard !allowed else { return true }
        let who = connection.subject.map { "subject '\($0)'" } ?? "a connection without a client certificate"
        logger.info(
            "denied by ACL",
            metadata: ["connection": "\(connection.id)", "permission": "\(permission)", "function": "\(function)", "subject": "\(connection.subject ?? "-")"]
        )
        sendError(connection, code: "PERMISSION_DENIED", "\(permission.rawValue) permission for '\(function)' denied to \(who) by the ACL")
        return false
    }

    /// The `ERR` answer for an admin command the connection may not run, or `nil` when it may.
    func refusal(of command: AdminCommand, from connection: ServerConnection) -> String? {
        guard let accessControl, !accessControl.canGrant(connection.subject) else { return nil }
        switch command {
        case .shutdown, .maxQueue, .createFunction, .dropFunction:
            break
        case .cancelJob(let handle):
            let function = jobsByHandle[ByteBuffer(string: handle)]?.function.displayName ?? coldJob(handle: handle)?.function.string
            if let function, accessControl.canInvoke(connection.subject, function) {
                return nil
            }
        case .status, .priorityStatus, .workers, .version, .getpid, .verbose, .showJobs, .showUniqueJobs, .acl,
            .invalidArguments, .unknown:
            return nil
        case .result:
            return nil  // Needs invoke for the job's function, known once it is looked up: see `mayRead`.
        }
        logger.info("admin command denied by ACL", metadata: ["connection": "\(connection.id)", "command": "\(command.line)"])
        return Self.adminError("PERMISSION_DENIED", "the grant permission is required")
    }

    /// Whether the connection may read the outcome of a job of `function`: invoke permission for it, or grant.
    func mayRead(resultOf function: ByteBuffer, _ connection: ServerConnection) -> Bool {
        guard let accessControl else { return true }
        let subject = connection.subject
        guard !accessControl.canGrant(subject), !accessControl.canInvoke(subject, function.string) else { return true }
        logger.info("result denied by ACL", metadata: ["connection": "\(connection.id)", "function": "\(function.string)", "subject": "\(subject ?? "-")"])
        return false
    }

    /// Replaces the list in force (a reload of the ACL file); `nil` turns access control off.
    func replaceAccessControl(_ list: AccessControlList?) {
        accessControl = list
        logger.notice("access control list replaced", metadata: ["entries": "\(list?.sortedEntries.count ?? 0)"])
    }

    /// An admin error line in gearmand's form: `ERR CODE message+with+pluses`.
    static func adminError(_ code: String, _ message: String) -> String {
        "ERR \(code) \(message.replacingOccurrences(of: " ", with: "+"))\r\n"
    }
}
