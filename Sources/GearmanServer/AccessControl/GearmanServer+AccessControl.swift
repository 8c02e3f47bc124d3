extension GearmanServer {
    /// Puts `list` in force for every connection from the next packet on (as `geard` does on SIGHUP);
    /// `nil` turns access control off. Changes made with the admin `acl` commands are replaced too.
    public func replaceAccessControl(_ list: AccessControlList?) async {
        let scheduler = self.scheduler
        try? await scheduler.loop.submit { scheduler.replaceAccessControl(list) }.get()
    }

    /// The list in force, with the changes the admin `acl` commands made.
    public func accessControl() async -> AccessControlList? {
        let scheduler = self.scheduler
        return try? await scheduler.loop.submit { scheduler.accessControl }.get()
    }
}
