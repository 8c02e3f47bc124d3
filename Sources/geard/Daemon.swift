import Foundation

/// Detaching from the terminal, as `geard` does without `-d`.
enum Daemon {
    struct ForkFailed: Error, CustomStringConvertible {
        let errno: Int32
        var description: String { "fork failed: \(String(cString: strerror(errno)))" }
    }

    /// Forks; the parent exits at once, the child starts a new session with stdio on /dev/null — except the
    /// standard descriptors in `keeping`, which logging writes to — and closes the descriptors inherited from its
    /// launcher (one waiting on such a descriptor would otherwise wait for the daemon's lifetime). Inherited ones
    /// are those without close-on-exec; files geard itself opened before detaching, such as log files, have it
    /// and stay open. Must run before any thread is started.
    static func detach(keeping: Set<Int32>) throws {
        let pid = fork()
        if pid < 0 { throw ForkFailed(errno: errno) }
        if pid > 0 { exit(0) }
        _ = setsid()
        let devNull = open("/dev/null", O_RDWR)
        if devNull >= 0 {
            for descriptor in [STDIN_FILENO, STDOUT_FILENO, STDERR_FILENO] where !keeping.contains(descriptor) {
                _ = dup2(devNull, descriptor)
            }
            if devNull > STDERR_FILENO { close(devNull) }
        }
        let limit = min(sysconf(Int32(_SC_OPEN_MAX)), 65_536)
        for descriptor in (STDERR_FILENO + 1)..<Int32(max(limit, 3)) {
            let flags = fcntl(descriptor, F_GETFD)
            if flags >= 0, flags & FD_CLOEXEC == 0 { close(descriptor) }
        }
    }
}
