import Foundation

/// Detaching from the terminal, as `geard` does without `-d`.
enum Daemon {
    struct ForkFailed: Error, CustomStringConvertible {
        let errno: Int32
        var description: String { "fork failed: \(String(cString: strerror(errno)))" }
    }

    /// Forks; the parent exits at once, the child starts a new session with stdio on /dev/null.
    /// Must run before any thread is started.
    static func detach() throws {
        let pid = fork()
        if pid < 0 { throw ForkFailed(errno: errno) }
        if pid > 0 { exit(0) }
        _ = setsid()
        let devNull = open("/dev/null", O_RDWR)
        if devNull >= 0 {
            for descriptor in [STDIN_FILENO, STDOUT_FILENO, STDERR_FILENO] { _ = dup2(devNull, descriptor) }
            if devNull > STDERR_FILENO { close(devNull) }
        }
    }
}
