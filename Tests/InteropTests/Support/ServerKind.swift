import Foundation

/// The two servers every interop scenario runs against.
enum ServerKind: String, CaseIterable, Sendable, CustomStringConvertible {
    /// The reference: gearmand 1.1.20 from Debian (`gearman-job-server`).
    case gearmand
    /// Ours, built by this package.
    case geard

    var description: String { rawValue }

    /// The command line that runs this server in the foreground on 127.0.0.1:`port`.
    /// geard keeps its SQLite queue in `stateDirectory`, a fresh one per server.
    func command(port: Int, stateDirectory: URL) throws -> [String] {
        switch self {
        case .gearmand:
            let path = "/usr/sbin/gearmand"
            guard FileManager.default.isExecutableFile(atPath: path) else {
                throw InteropError("\(path) is missing: apt-get install gearman-job-server (or run scripts/install-peers.sh as root)")
            }
            return [path, "-p", "\(port)", "-L", "127.0.0.1", "--log-file=none"]
        case .geard:
            return [
                try ServerKind.geardPath(), "-d", "--port", "\(port)", "--listen-address", "127.0.0.1",
                "--queue-path", stateDirectory.appendingPathComponent("queue.sqlite").path,
            ]
        }
    }

    /// `GEARD_PATH`, else the `geard` built next to this test bundle (`.build/<triple>/debug/`).
    private static func geardPath() throws -> String {
        if let path = ProcessInfo.processInfo.environment["GEARD_PATH"] { return path }
        let testBinary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let bundle = Bundle.main.bundleURL
        let directories = [testBinary, bundle, bundle.deletingLastPathComponent(), bundle.deletingLastPathComponent().deletingLastPathComponent()]
        let candidates = directories.map { $0.appendingPathComponent("geard").path }
        guard let found = candidates.first(where: FileManager.default.isExecutableFile(atPath:)) else {
            throw InteropError("geard not found at \(candidates): run `swift build --build-tests` or set GEARD_PATH")
        }
        return found
    }
}
