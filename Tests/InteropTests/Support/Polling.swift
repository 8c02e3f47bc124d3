import Foundation

/// Polls `condition` until it holds, failing after `timeout`. This is how tests wait for
/// another process (a worker registering, a job running): never a bare sleep.
func waitUntil(
    _ what: @autoclosure () -> String,
    timeout: Duration = .seconds(20),
    condition: () throws -> Bool
) async throws {
    let deadline = ContinuousClock.now + timeout
    while try !condition() {
        guard ContinuousClock.now < deadline else { throw InteropError("timed out after \(timeout) waiting for \(what())") }
        try await Task.sleep(for: .milliseconds(25))
    }
}
