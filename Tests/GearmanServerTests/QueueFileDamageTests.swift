import Foundation
import GearmanProtocol
import GearmanServer
import NIOCore
import Testing

/// Queue files that are damaged or not ours stop the start with a message naming the file; nothing traps.
@Suite struct QueueFileDamageTests {
    enum Damage: String, CaseIterable {
        case garbagePage, garbagePageHeader, truncated
    }

    /// A queue file holding 2,000 jobs, closed cleanly (so everything is in the main file), then damaged.
    private func damagedQueueFile(_ damage: Damage, in directory: TestDirectory) throws -> String {
        let path = directory.queuePath
        do {
            let store = try SQLiteQueueStore(path: path)
            var batch = QueueStoreBatch()
            batch.added = (1...2_000).map { id in
                StoredJob(
                    id: UInt64(id), function: ByteBuffer(string: "f"), unique: ByteBuffer(), payload: ByteBuffer(repeating: 0x78, count: 100),
                    priority: .normal, runAt: nil, retries: 0, submittedAt: 0, reducer: nil
                )
            }
            try store.commit(batch)
        }
        let file = try FileHandle(forUpdating: URL(fileURLWithPath: path))
        defer { try? file.close() }
        let size = try file.seekToEnd()
        let middlePage = size / 4096 / 2 * 4096
        switch damage {
        case .garbagePage:
            try file.seek(toOffset: middlePage)
            try file.write(contentsOf: Data(repeating: 0xA5, count: 4096))
        case .garbagePageHeader:
            try file.seek(toOffset: middlePage)
            try file.write(contentsOf: Data(repeating: 0xA5, count: 64))
        case .truncated:
            try file.truncate(atOffset: size / 2 + 1000)
        }
        return path
    }

    @Test(arguments: Damage.allCases) func aDamagedFileIsRefusedNamingIt(_ damage: Damage) throws {
        let directory = try TestDirectory()
        defer { directory.remove() }
        let path = try damagedQueueFile(damage, in: directory)
        let error = try #require(throws: SQLiteQueueStore.Failure.self) { try SQLiteQueueStore(path: path) }
        #expect(error.description.hasPrefix("cannot open the SQLite queue \(path): "), "\(error)")
        #expect(error.description.contains("malformed") || error.description.contains("damaged"), "\(error)")
    }

    @Test func aRowOfTheWrongTypeStopsTheStartInsteadOfTrapping() async throws {
        let directory = try TestDirectory()
        defer { directory.remove() }
        let path = directory.queuePath
        _ = try SQLiteQueueStore(path: path)
        // Another program wrote a priority as text: the structure is sound, the row is not a job.
        let script = "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute(\"insert into gearman_jobs values (1, x'66', x'', x'', 'high', null, 0, 0, null)\"); c.commit()"
        let outcome = try await ExternalProcess.run(["/usr/bin/env", "python3", "-c", script, path])
        #expect(outcome.status == 0, "\(outcome.output)")
        let server = GearmanServer(configuration: ServerConfiguration(host: "127.0.0.1", port: 0, threads: 1), queueStore: try SQLiteQueueStore(path: path))
        let error = await #expect(throws: (any Error).self) { try await server.start() }
        try? await server.stop()
        #expect("\(error.map { "\($0)" } ?? "")".hasPrefix("cannot recover the queued jobs from sqlite:\(path): "), "\(String(describing: error))")
    }

    enum BadFile: String, CaseIterable {
        case damaged, notSQLite, foreignTable
    }

    @Test(arguments: BadFile.allCases) func geardExitsWithAMessageNamingTheFile(_ bad: BadFile) async throws {
        let directory = try TestDirectory()
        defer { directory.remove() }
        let path: String
        let reason: String
        switch bad {
        case .damaged:
            path = try damagedQueueFile(.garbagePage, in: directory)
            reason = "malformed"
        case .notSQLite:
            path = directory.queuePath
            try Data(repeating: 0x42, count: 4096).write(to: URL(fileURLWithPath: path))
            reason = "file is not a database"
        case .foreignTable:
            path = directory.queuePath
            let script = "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute('create table gearman_jobs (x)'); c.commit()"
            _ = try await ExternalProcess.run(["/usr/bin/env", "python3", "-c", script, path])
            reason = "table gearman_jobs has columns [\"x\"]"
        }
        let outcome = try await ExternalProcess.run([
            GeardProcess.binary.path, "-d", "--port", "0", "--listen-address", "127.0.0.1", "--queue", "sqlite", "--queue-path", path,
        ])
        #expect(outcome.status != 0)
        #expect(outcome.output.contains("cannot open the SQLite queue \(path): "), "\(outcome.output)")
        #expect(outcome.output.contains(reason), "\(outcome.output)")
    }
}
