/// Runs `operation`, throwing ``GearmanError/timeout`` if it takes longer than `timeout` (`nil`: no limit).
func withTimeout<T: Sendable>(_ timeout: Duration?, _ operation: @escaping @Sendable () async throws -> T) async throws -> T {
    guard let timeout else { return try await operation() }
    return try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask { try await operation() }
        group.addTask {
            try await Task.sleep(for: timeout)
            throw GearmanError.timeout
        }
        defer { group.cancelAll() }
        return try await group.next()!
    }
}
