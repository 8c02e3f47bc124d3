import Foundation
import GearmanProtocol
import GearmanServer
import Logging
import NIOConcurrencyHelpers

/// A directory of its own for a test's files (a queue file, logs, a pidfile), so the test can remove it, even
/// while the server runs.
struct TestDirectory {
    let path: String
    var queuePath: String { path + "/queue.sqlite" }

    init(_ name: String = "geard-queue") throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}

/// A fresh path for a queue file in the temporary directory.
func temporaryQueuePath(_ name: String = "geard-test") -> String {
    FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(UUID().uuidString).sqlite").path
}

/// Runs `body` against an in-process server that keeps its background jobs in `store`.
func withDurableServer<T>(_ store: QueueStore, logger: Logger = Logger(label: "geard"), _ body: (Int) async throws -> T) async throws -> T {
    let server = GearmanServer(configuration: ServerConfiguration(host: "127.0.0.1", port: 0, threads: 1), queueStore: store, logger: logger)
    try await server.start()
    do {
        let result = try await body(server.port!)
        try await server.stop()
        return result
    } catch {
        try? await server.stop()
        throw error
    }
}

/// Runs every queued job of `function` on the server at `port`; returns their payloads in the order run.
func drainPayloads(port: Int, function: String) async throws -> [String] {
    let worker = try await TestPeer(port: port)
    try await worker.send(.canDo, function)
    var payloads: [String] = []
    while true {
        try await worker.send(.grabJob)
        let packet = try await worker.receivePacket()
        guard packet.type == .jobAssign else { break }
        payloads.append(packet.string(2))
        try await worker.send(.workComplete, packet.string(0), "")
    }
    // Answered after the last WORK_COMPLETE was handled, so its removal is on its way to the store.
    try await worker.send(.echoReq, "sync")
    _ = try await worker.receivePacket()
    await worker.close()
    return payloads
}

/// Keeps what a logger logs, for tests about log lines.
final class LogRecorder: Sendable {
    struct Record: Sendable {
        let level: Logger.Level
        let message: String
        let metadata: Logger.Metadata
    }

    private let box = NIOLockedValueBox<[Record]>([])

    var records: [Record] { box.withLockedValue { $0 } }

    /// The messages logged at `level` or above.
    func messages(atLeast level: Logger.Level) -> [String] {
        records.filter { $0.level >= level }.map(\.message)
    }

    var logger: Logger {
        Logger(label: "test") { _ in Handler(recorder: self) }
    }

    private struct Handler: LogHandler {
        let recorder: LogRecorder
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .info

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let record = Record(level: event.level, message: event.message.description, metadata: metadata.merging(event.metadata ?? [:]) { $1 })
            recorder.box.withLockedValue { $0.append(record) }
        }
    }
}
