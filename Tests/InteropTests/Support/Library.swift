import Foundation

/// A Gearman client/worker library whose real implementation the interop tests run.
enum Library: String, CaseIterable, Sendable, CustomStringConvertible {
    case php
    case perl
    case gear
    case gearman3
    case cli

    var description: String { rawValue }

    /// The interpreter and the peer script (in Peers/) for this library's client or worker.
    func command(_ role: Role) -> [String] {
        let script: String
        let interpreter: String
        switch self {
        case .php: (interpreter, script) = ("php", "php_\(role).php")
        case .perl: (interpreter, script) = ("perl", "perl_\(role).pl")
        case .gear: (interpreter, script) = ("python3", "gear_\(role).py")
        case .gearman3: (interpreter, script) = ("python3", "gearman3_\(role).py")
        case .cli: (interpreter, script) = ("python3", "cli_\(role).py")
        }
        return [interpreter, Library.peersDirectory.appendingPathComponent(script).path]
    }

    /// A command that exits 0 only if the library is installed.
    private var probe: [String] {
        switch self {
        case .php: ["php", "-r", "exit(class_exists('GearmanClient') && class_exists('GearmanWorker') ? 0 : 1);"]
        case .perl: ["perl", "-MGearman::Client", "-MGearman::Worker", "-MJSON::PP", "-e", "1"]
        case .gear: ["python3", "-c", "import gear"]
        case .gearman3: ["python3", "-c", "import gearman"]
        case .cli: ["gearman", "-H"]
        }
    }

    /// What to install when the probe fails (Debian bookworm; scripts/install-peers.sh does it all).
    var installHint: String {
        switch self {
        case .php: "apt-get install php-cli php-gearman"
        case .perl: "apt-get install libgearman-client-perl"
        case .gear: "python3 -m pip install gear"
        case .gearman3: "python3 -m pip install gearman3"
        case .cli: "apt-get install gearman-tools"
        }
    }

    /// Throws, naming the package to install, if this library is not on the machine.
    func requireInstalled() throws {
        if Library.installed[self] != true {
            throw InteropError("peer library '\(self)' is missing: \(installHint) (or run scripts/install-peers.sh as root)")
        }
    }

    private static let installed: [Library: Bool] = Dictionary(
        uniqueKeysWithValues: allCases.map { library in (library, (try? ChildProcess.runQuietly(library.probe)) == 0) }
    )

    static let peersDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Peers")

    enum Role: String, CustomStringConvertible {
        case client
        case worker

        var description: String { rawValue }
    }
}

extension Library {
    /// The functions this library's peer worker registers (see Peers/README.md).
    var workerFunctions: [String] {
        switch self {
        case .cli: ["reverse", "echo", "fail", "slow", "record"]
        default: ["reverse", "echo", "fail", "exception", "status", "slow", "record"]
        }
    }
}
