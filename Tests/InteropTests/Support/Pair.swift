/// A peer client library talking, through the server, to a peer worker library.
struct Pair: Sendable, CustomStringConvertible {
    let client: Library
    let worker: Library

    var description: String { "\(client) client -> \(worker) worker" }

    /// Every library once as client and once as worker, each time with another library.
    static let ring: [Pair] = [
        Pair(client: .php, worker: .perl),
        Pair(client: .perl, worker: .gear),
        Pair(client: .gear, worker: .gearman3),
        Pair(client: .gearman3, worker: .cli),
        Pair(client: .cli, worker: .php),
    ]
}
