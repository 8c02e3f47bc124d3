import Foundation
import GRDB

/// A queue file that is deleted, renamed or whose directory is removed while `geard` runs stays open, and SQLite
/// would go on writing into it: every job acknowledged afterwards would be missing at the next start. So each
/// commit checks that the path still names the open file, and when it does not, copies the open database to a
/// new file at the path and carries on there.
extension SQLiteQueueStore {
    /// The open database and the file it was opened from.
    struct OpenDatabase {
        let queue: DatabasePool
        let file: FileIdentity
    }

    /// Which file a path names: its device and inode.
    struct FileIdentity: Equatable {
        let device: UInt64
        let inode: UInt64

        /// The file at `path` now; `nil` when there is none.
        init?(path: String) {
            var status = stat()
            guard stat(path, &status) == 0 else { return nil }
            device = UInt64(status.st_dev)
            inode = UInt64(status.st_ino)
        }
    }

    /// The path stopped naming the open file during a write, which was rolled back.
    struct Moved: Error {}

    /// Recreates the file when the path no longer names the open one; throws while that is impossible.
    func keepFileInPlace(_ open: inout OpenDatabase) throws {
        guard FileIdentity(path: path) != open.file else { return }
        do {
            open = try recreate(from: open)
        } catch {
            throw Failure("the queue file \(path) was deleted or moved and cannot be recreated yet: \(Failure(error))")
        }
        logger.notice("the queue file was deleted or moved; recreated it from the open database", metadata: ["store": "\(description)"])
    }

    private func recreate(from old: OpenDatabase) throws -> OpenDatabase {
        guard !FileManager.default.fileExists(atPath: path) else {
            throw Failure("another file took its place, which is left alone")
        }
        // Completes the moved file, in case it was renamed to be kept, and empties the WAL.
        _ = try? old.queue.writeWithoutTransaction { try $0.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
        let copy = path + ".recreating"
        try? FileManager.default.removeItem(atPath: copy)
        try old.queue.writeWithoutTransaction { try $0.execute(sql: "VACUUM INTO ?", arguments: [copy]) }
        // The old WAL and shared-memory files may still carry the path's name: the new file must not pick them up.
        for suffix in ["-wal", "-shm"] { unlink(path + suffix) }
        guard rename(copy, path) == 0 else {
            throw Failure("cannot rename \(copy) to \(path): \(String(cString: strerror(errno)))")
        }
        let new = try Self.open(path: path, synchronous: synchronous)
        try? old.queue.close()
        return new
    }

    /// Makes the database full at its current size, as a full disk does, or lifts that limit. For tests.
    func limitPageCount(_ limit: Bool) throws {
        try database.withLockedValue { $0.queue }.writeWithoutTransaction { db in
            let count = limit ? try Int.fetchOne(db, sql: "PRAGMA page_count") ?? 0 : Int(Int32.max) - 1
            try db.execute(sql: "PRAGMA max_page_count = \(count)")
        }
    }
}
